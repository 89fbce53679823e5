// Access tokens for tests, signed with the test fleet's JWT key exactly as auth signs them.
import { readFileSync } from 'node:fs'
import { SignJWT, importJWK } from 'jose'
import type { Role } from '@robbie/contracts'
import { uuidv7 } from '@robbie/contracts'
import { testEnv } from './env.js'

export async function mintAccessToken (claims: { sub?: string, role?: Role, sid?: string, act?: string, ttlS?: number, keysFile?: string } = {}): Promise<string> {
  const file = JSON.parse(readFileSync(claims.keysFile ?? testEnv().jwtKeysFile, 'utf8')) as { keys: Array<{ kid: string, privateJwk: Record<string, unknown> }> }
  const current = file.keys[0]!
  const key = await importJWK({ ...current.privateJwk, alg: 'EdDSA' }, 'EdDSA')
  return await new SignJWT({ role: claims.role ?? 'member', sid: claims.sid ?? uuidv7(), ...(claims.act ? { act: { sub: claims.act } } : {}) })
    .setProtectedHeader({ alg: 'EdDSA', kid: current.kid, typ: 'at+jwt' })
    .setSubject(claims.sub ?? uuidv7())
    .setIssuer('robbie-auth').setAudience('robbie').setJti(uuidv7()).setNotBefore('0s')
    .setIssuedAt().setExpirationTime(`${claims.ttlS ?? 300}s`)
    .sign(key)
}
