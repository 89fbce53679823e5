// The one-time setup code: 100 random bits as 20 Crockford-style base32 characters in groups of four,
// easy to copy from a console. Input is normalised (case, dashes, spaces) before hashing.
import { randomBytes } from 'node:crypto'

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'

export function newSetupCode (): string {
  const bytes = randomBytes(20)
  let out = ''
  for (let i = 0; i < 20; i++) out += ALPHABET[bytes[i]! & 31]
  return out.match(/.{4}/g)!.join('-')
}

export const normaliseSetupCode = (code: string): string => code.toUpperCase().replace(/[\s-]/g, '')
