// The API-key format of SPEC §2.3: robbie_<type>_<id:12><secret:32><crc:6>, 61 characters.
// The checksum lets every service refuse a mistyped or invented key without a database query.
import { randomInt } from 'node:crypto'

export const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'
export type ApiKeyType = 'pat' | 'svc'
export const API_KEY_RE = /^robbie_(pat|svc)_([0-9A-Za-z]{12})([0-9A-Za-z]{32})([0-9A-Za-z]{6})$/

const CRC_TABLE = (() => {
  const table = new Uint32Array(256)
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    table[n] = c >>> 0
  }
  return table
})()

/** CRC-32 (IEEE 802.3) of a string's UTF-8 bytes. */
export function crc32 (text: string): number {
  let crc = 0xffffffff
  for (const byte of Buffer.from(text, 'utf8')) crc = CRC_TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8)
  return (crc ^ 0xffffffff) >>> 0
}

export function toBase62 (value: number, width: number): string {
  let out = ''
  let rest = value
  do {
    out = BASE62[rest % 62]! + out
    rest = Math.floor(rest / 62)
  } while (rest > 0)
  return out.padStart(width, '0')
}

function randomBase62 (length: number): string {
  let out = ''
  for (let i = 0; i < length; i++) out += BASE62[randomInt(62)]
  return out
}

export const apiKeyChecksum = (body: string): string => toBase62(crc32(body), 6)

/** A new key of the given type: `{ id, key }`, where `id` is the public lookup id. */
export function generateApiKey (type: ApiKeyType): { id: string, key: string } {
  const id = randomBase62(12)
  const body = `robbie_${type}_${id}${randomBase62(32)}`
  return { id, key: body + apiKeyChecksum(body) }
}

/** Shape and checksum only; no lookup. Returns the parts of a well-formed key, else null. */
export function parseApiKey (key: string): { type: ApiKeyType, id: string } | null {
  const match = API_KEY_RE.exec(key)
  if (!match) return null
  if (apiKeyChecksum(key.slice(0, -6)) !== match[4]) return null
  return { type: match[1] as ApiKeyType, id: match[2]! }
}
