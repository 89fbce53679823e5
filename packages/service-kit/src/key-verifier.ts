// API keys and service keys (SPEC §2.3): shape and checksum here (a bad one costs no lookup anywhere), then
// auth's POST /internal/auth/keys/verify, cached for at most 30 s. Revocation reaches every instance within
// a second: the Redis set of revoked key ids is checked on every request and a pub/sub hint evicts the cache.
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { parseApiKey, type Identity } from '@robbie/contracts'
import type { BusRedis } from '@robbie/bus'
import { createHints } from '@robbie/bus'
import { genericError } from './errors.js'

export type VerifyApiKey = (key: string) => Promise<{ identity: Identity, expiresAt: string | null } | null>

/** The verifier of every service but auth: a call to auth with this service's own key. */
export function remoteKeyVerifier (opts: { service: string, authUrl: string, serviceKeyFile: string }): VerifyApiKey {
  let ownKey: string | undefined
  return async (key) => {
    ownKey ??= readFileSync(opts.serviceKeyFile, 'utf8').trim()
    const res = await fetch(new URL('/internal/auth/keys/verify', opts.authUrl), {
      method: 'POST',
      redirect: 'error',
      signal: AbortSignal.timeout(3000),
      headers: { authorization: `Bearer ${ownKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ key })
    }).catch(() => { throw genericError(opts.service, 'UNAVAILABLE', 'The auth service is unavailable', { headers: { 'retry-after': '5' } }) })
    if (res.status === 401 || res.status === 404) return null
    if (res.status !== 200) throw genericError(opts.service, 'UNAVAILABLE', 'The auth service is unavailable', { headers: { 'retry-after': '5' } })
    return await res.json() as { identity: Identity, expiresAt: string | null }
  }
}

const CACHE_MS = 30_000

export function createKeyAuthenticator (opts: { redis: BusRedis, verify: VerifyApiKey, now?: () => number }) {
  const now = opts.now ?? Date.now
  const cache = new Map<string, { identity: Identity, keyId: string, until: number }>()
  const revokedSet = `${opts.redis.prefix}auth:revoked-keys`
  const hints = createHints({ redis: opts.redis })
  let unsubscribe: (() => Promise<void> | void) | undefined

  const evict = (keyId: string) => { for (const [k, v] of cache) if (v.keyId === keyId) cache.delete(k) }

  return {
    async start () {
      unsubscribe = await hints.subscribe('apikey-revoked', (message: unknown) => { evict(String(message)) })
    },
    async stop () {
      await unsubscribe?.()
      await hints.close()
    },
    async authenticate (key: string): Promise<Identity | null> {
      const parsed = parseApiKey(key)
      if (!parsed) return null // shape or checksum: refused without any lookup
      try {
        if (await opts.redis.client.sismember(revokedSet, parsed.id) === 1) { evict(parsed.id); return null }
      } catch {
        // Redis away: the cache (≤ 30 s) and auth's own check still stand
      }
      const digest = createHash('sha256').update(key).digest('hex')
      const hit = cache.get(digest)
      if (hit && hit.until > now()) return hit.identity
      const verified = await opts.verify(key)
      if (!verified) { cache.delete(digest); return null }
      const expires = verified.expiresAt ? Date.parse(verified.expiresAt) : Infinity
      cache.set(digest, { identity: verified.identity, keyId: parsed.id, until: Math.min(now() + CACHE_MS, expires) })
      return verified.identity
    }
  }
}
export type KeyAuthenticator = ReturnType<typeof createKeyAuthenticator>
