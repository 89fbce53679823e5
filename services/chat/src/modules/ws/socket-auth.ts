// Authenticating a socket in band (SPEC §3.1): `hello.token` (and `auth.refresh`) is an access JWT or an API key
// `robbie_pat_…` holding chat:read and chat:write. The kit's verifiers decide; this adds what a long-lived
// socket needs: when the credential expires (for auth.expiring) and whether it was revoked since (checked on
// every ping: the session denylist for JWTs, the revoked-key set for keys).
import { parseApiKey, type Identity } from '@robbie/contracts'
import type { BusRedis } from '@robbie/bus'
import { createTokenVerifier, type VerifyApiKey } from '@robbie/service-kit'

export interface SocketCredential {
  identity: Identity
  /** ms since the epoch, or null for a key that never expires */
  expiresAt: number | null
}

type SocketAuthResult = SocketCredential | 'unauthenticated' | 'forbidden'

const NEEDED = ['chat:read', 'chat:write']

/** `exp` of a token the verifier has already accepted (so its payload is known to be well-formed). */
function expiryOf (jwt: string): number {
  const payload = JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as { exp?: unknown }
  return typeof payload.exp === 'number' ? payload.exp * 1000 : 0
}

export function createSocketAuth (opts: { redis: Pick<BusRedis, 'client' | 'prefix'>, jwtKeysFile: string, verifyApiKey: VerifyApiKey }) {
  const verifyJwt = createTokenVerifier(opts.jwtKeysFile)
  const revokedKeys = `${opts.redis.prefix}auth:revoked-keys`
  const deniedSid = (sid: string) => `${opts.redis.prefix}auth:denied-sid:${sid}`

  async function revoked (identity: Identity): Promise<boolean> {
    if (identity.keyId) return await opts.redis.client.sismember(revokedKeys, identity.keyId) === 1
    if (identity.sessionId) return await opts.redis.client.exists(deniedSid(identity.sessionId)) === 1
    return false
  }

  return {
    async authenticate (token: string): Promise<SocketAuthResult> {
      let cred: SocketCredential | null = null
      if (token.startsWith('robbie_')) {
        const parsed = parseApiKey(token)
        if (!parsed) return 'unauthenticated'
        const verified = await opts.verifyApiKey(token).catch(() => null)
        if (verified) {
          cred = { identity: { ...verified.identity, keyId: parsed.id }, expiresAt: verified.expiresAt ? Date.parse(verified.expiresAt) : null }
        }
      } else {
        const identity = await verifyJwt(token)
        if (identity) cred = { identity, expiresAt: expiryOf(token) }
      }
      if (!cred || await revoked(cred.identity).catch(() => false)) return 'unauthenticated'
      if (cred.identity.kind !== 'user' || !NEEDED.every((s) => cred.identity.scopes.includes(s))) return 'forbidden'
      return cred
    },
    /** Still good? false once the key is revoked or the session is on the denylist (Redis away: believed). */
    stillValid: async (identity: Identity): Promise<boolean> => !await revoked(identity).catch(() => false)
  }
}
export type SocketAuth = ReturnType<typeof createSocketAuth>
