import { generateKeyPairSync } from 'node:crypto'
import { mkdtempSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose'
import { createTokenSigner } from './index.js'

function keyEntry (kid: string) {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519')
  return { kid, createdAt: new Date().toISOString(), privateJwk: privateKey.export({ format: 'jwk' }), publicJwk: publicKey.export({ format: 'jwk' }) }
}

describe('access tokens', () => {
  const dir = mkdtempSync(join(tmpdir(), 'robbie-tokens-'))
  const file = join(dir, 'jwt-signing.json')
  const first = keyEntry('k1')
  writeFileSync(file, JSON.stringify({ keys: [first] }))
  let now = Date.parse('2026-01-01T00:00:00Z')
  const signer = createTokenSigner({ keysFile: file, clock: () => new Date(now) })

  it('are EdDSA at+jwt with the current kid and the SPEC claims', async () => {
    const { token, expiresIn } = await signer.signAccessToken({ sub: 'u1', role: 'member', sid: 's1', act: { sub: 'svc:chat' }, ctx: 'dm' })
    expect(expiresIn).toBe(900)
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'EdDSA', typ: 'at+jwt', kid: 'k1' })
    const { payload } = await jwtVerify(token, createLocalJWKSet(signer.jwks()), { issuer: 'robbie-auth', audience: 'robbie', currentDate: new Date(now) })
    expect(payload).toMatchObject({ sub: 'u1', role: 'member', sid: 's1', act: { sub: 'svc:chat' }, ctx: 'dm', iat: now / 1000, nbf: now / 1000, exp: now / 1000 + 900 })
    expect(payload.jti).toEqual(expect.any(String))
    expect(payload).not.toHaveProperty('scopes')
  })

  it('publish only public halves, and pick up a rotated file within a minute', async () => {
    expect(signer.jwks().keys.map((k) => k.kid)).toEqual(['k1'])
    expect(signer.jwks().keys[0]).not.toHaveProperty('d')
    writeFileSync(file, JSON.stringify({ keys: [keyEntry('k2'), first, keyEntry('k0')] }))
    utimesSync(file, new Date(), new Date(Date.now() + 5000)) // a distinct mtime even on coarse clocks
    expect(signer.jwks().keys.map((k) => k.kid)).toEqual(['k1']) // checked at most once a minute
    now += 61_000
    expect(signer.jwks().keys.map((k) => k.kid)).toEqual(['k2', 'k1']) // current + previous
    const { token } = await signer.signAccessToken({ sub: 'u1', role: 'owner' })
    expect(decodeProtectedHeader(token).kid).toBe('k2')
  })
})
