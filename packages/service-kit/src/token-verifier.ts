// Access tokens (SPEC §2.1): EdDSA only, the key chosen by `kid` from auth's key file (current + previous),
// `typ: at+jwt`, `iss: robbie-auth`, `aud: robbie`. Tokens naming their own keys (jku, x5u, jwk, x5c) are
// refused outright. An access token carries a role; its scopes are the role's (SPEC §2.3).
import { readFileSync, statSync } from 'node:fs'
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose'
import { ROLE_SCOPES, type Identity, type Role } from '@robbie/contracts'

const RECHECK_MS = 10_000
const ROLES = new Set(['owner', 'admin', 'member'])

interface KeyFile { keys: Array<{ kid: string, publicJwk: Record<string, unknown> }> }

export function createTokenVerifier (keysFile: string, now: () => number = Date.now) {
  let jwks: ReturnType<typeof createLocalJWKSet> | undefined
  let loadedMtime = -1
  let checkedAt = 0

  // `bootstrap --rotate jwt` rewrites the file; pick the new key up within RECHECK_MS
  function keys () {
    if (!jwks || now() - checkedAt > RECHECK_MS) {
      checkedAt = now()
      const mtime = statSync(keysFile).mtimeMs
      if (mtime !== loadedMtime) {
        const file = JSON.parse(readFileSync(keysFile, 'utf8')) as KeyFile
        jwks = createLocalJWKSet({ keys: file.keys.map((k) => ({ ...k.publicJwk, kid: k.kid, alg: 'EdDSA', use: 'sig' })) } as JSONWebKeySet)
        loadedMtime = mtime
      }
    }
    return jwks!
  }

  return async function verify (token: string): Promise<Identity | null> {
    try {
      const header = decodeProtectedHeader(token)
      if (header.alg !== 'EdDSA' || typeof header.kid !== 'string' || header.jku || header.x5u || header.jwk || header.x5c) return null
      // every claim auth always sets is required: a token without exp would never expire, one without sid
      // could not be revoked (delegated tokens carry act instead of a session)
      const { payload } = await jwtVerify(token, keys(), {
        algorithms: ['EdDSA'],
        issuer: 'robbie-auth',
        audience: 'robbie',
        typ: 'at+jwt',
        currentDate: new Date(now()),
        requiredClaims: ['exp', 'iat', 'nbf', 'jti', 'sub']
      })
      if (typeof payload.sid !== 'string' && typeof (payload.act as { sub?: unknown } | undefined)?.sub !== 'string') return null
      const role = payload.role
      if (typeof payload.sub !== 'string' || typeof role !== 'string' || !ROLES.has(role)) return null
      const act = payload.act as { sub?: unknown } | undefined
      const ctx = payload.ctx
      return {
        kind: 'user',
        id: payload.sub,
        role: role as Role,
        scopes: [...ROLE_SCOPES[role as Role]],
        ...(typeof payload.sid === 'string' ? { sessionId: payload.sid } : {}),
        ...(typeof act?.sub === 'string'
          ? { actor: { id: act.sub, ...(ctx === 'dm' || ctx === 'channel' || ctx === 'web' ? { ctx } : {}) } }
          : {})
      }
    } catch {
      return null
    }
  }
}
