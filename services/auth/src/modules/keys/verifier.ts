// API-key verification, in SPEC §2.3's order: shape → checksum → lookup by id → constant-time HMAC compare →
// not revoked / expired, user active → scopes. The first two steps touch nothing: a mistyped or invented key
// is refused without a database query (a flood of garbage keys costs no I/O; the failed-key rate limit
// counts it). Used in-process by auth itself (the kit's `verifyApiKey` dependency: auth never calls itself
// over HTTP) and by POST /internal/auth/keys/verify for every other service.
import { timingSafeEqual } from 'node:crypto'
import type { FastifyRequest } from 'fastify'
import { API_KEY_RE, apiKeyChecksum, ROLE_SCOPES, type Identity } from '@robbie/contracts'
import type { Queryable } from '@robbie/db'
import type { Audit } from '@robbie/service-kit'
import { createKeysRepository } from './keys.repository.js'
import { keyHmac } from './keys.config.js'

export const NODE_SCOPES = ['gpu-coordinator:heartbeat']

export type KeyFailure = 'malformed' | 'checksum' | 'unknown' | 'mismatch' | 'revoked' | 'expired' | 'user_inactive'
export type KeyCheck =
  | { ok: true, keyId: string, identity: Identity, expiresAt: string | null }
  | { ok: false, reason: KeyFailure, keyId?: string }
export interface VerifiedKey { identity: Identity, expiresAt: string | null }
export interface CheckMeta { ip?: string | null, request?: FastifyRequest }

export interface ApiKeyVerifierOptions {
  /** the pool, or a getter when the verifier is made before the app that owns the pool */
  pool: Queryable | (() => Queryable)
  /** the API-key pepper (ROBBIE_APIKEY_PEPPER_FILE) */
  pepper: Buffer
  /** records a failed check that got past the checksum (`auth.key.check`, outcome failed); never sees the key */
  recordFailure?: (failure: { reason: KeyFailure, keyId: string }, meta: CheckMeta) => Promise<unknown>
  now?: () => Date
}

/** Shape, then checksum: pure, no I/O. */
export function checkKeyFormat (key: string): { ok: true, type: 'pat' | 'svc', id: string } | { ok: false, reason: 'malformed' | 'checksum' } {
  const match = API_KEY_RE.exec(key)
  if (!match) return { ok: false, reason: 'malformed' }
  if (apiKeyChecksum(key.slice(0, -6)) !== match[4]) return { ok: false, reason: 'checksum' }
  return { ok: true, type: match[1] as 'pat' | 'svc', id: match[2]! }
}

export function createApiKeyVerifier (opts: ApiKeyVerifierOptions) {
  const pool = (): Queryable => (typeof opts.pool === 'function' ? opts.pool() : opts.pool)
  const now = opts.now ?? (() => new Date())

  async function verify (key: string, meta: CheckMeta = {}): Promise<KeyCheck> {
    const format = checkKeyFormat(key)
    if (!format.ok) return format // no query, no audit row: nothing here names a real key
    const repo = createKeysRepository(pool())
    const fail = async (reason: KeyFailure): Promise<KeyCheck> => {
      await opts.recordFailure?.({ reason, keyId: format.id }, meta)
      return { ok: false, reason, keyId: format.id }
    }
    const row = await repo.findForCheck(format.id)
    // HMAC first, whether or not the row exists, so an unknown id and a wrong secret take the same time
    const presented = keyHmac(opts.pepper, key)
    if (!row) return await fail('unknown')
    if (row.keyHmac.length !== presented.length || !timingSafeEqual(row.keyHmac, presented) || row.type !== format.type) return await fail('mismatch')
    const at = now()
    if (row.revokedAt) return await fail('revoked')
    if ((row.expiresAt && row.expiresAt <= at) || (row.graceUntil && row.graceUntil <= at)) return await fail('expired')

    let identity: Identity
    if (row.type === 'pat') {
      if (!row.userId || row.userStatus !== 'active' || !row.userRole) return await fail('user_inactive')
      // effective scopes: the key's own, cut down to what the user's role grants right now
      const allowed = new Set<string>(ROLE_SCOPES[row.userRole])
      identity = { kind: 'user', id: row.userId, role: row.userRole, scopes: row.scopes.filter((s) => allowed.has(s)), keyId: row.id }
    } else if (row.serviceName) {
      identity = { kind: 'service', id: `svc:${row.serviceName}`, scopes: [], keyId: row.id }
    } else {
      identity = { kind: 'node', id: `node:${row.nodeName ?? ''}`, scopes: [...NODE_SCOPES], keyId: row.id }
    }
    // last used: throttled in SQL, and never on the request's path
    if (row.type === 'pat' && (!row.lastUsedAt || at.getTime() - row.lastUsedAt.getTime() > 60_000)) {
      repo.touch(row.id, meta.ip ?? meta.request?.ip ?? null).catch(() => {})
    }
    const ends = [row.expiresAt, row.graceUntil].filter((d): d is Date => d !== null).map((d) => d.getTime())
    return { ok: true, keyId: row.id, identity, expiresAt: ends.length > 0 ? new Date(Math.min(...ends)).toISOString() : null }
  }

  return {
    verify,
    /** The kit's dependency: an identity and when it stops being valid, or null. */
    async verifyApiKey (key: string, meta: CheckMeta = {}): Promise<VerifiedKey | null> {
      const result = await verify(key, meta)
      return result.ok ? { identity: result.identity, expiresAt: result.expiresAt } : null
    }
  }
}
export type ApiKeyVerifier = ReturnType<typeof createApiKeyVerifier>

/**
 * `recordFailure` for the verifier: one `auth.key.check` row (outcome failed) per refused key that got past
 * the checksum, naming the key only by its audit HMAC. `app` is a getter: the verifier is made before the app.
 */
export function keyCheckAuditor (app: () => { audit: Pick<Audit, 'recordAlone' | 'hmac'> }) {
  return async (failure: { reason: KeyFailure, keyId: string }, meta: CheckMeta) => await app().audit.recordAlone({
    action: 'auth.key.check', outcome: 'failed', resourceType: 'api_key', resourceId: app().audit.hmac(`apikey:${failure.keyId}`), details: { reason: failure.reason }
  }, meta.request)
}
