// Caching (SPEC §5.2): Redis holds metadata only (which entry wins a resolution), never a value; decrypted
// values stay in this process's memory for at most 30 s. Every write evicts both, on every instance, through
// the `secrets-changed` pub/sub hint. The cache is an optimisation: any Redis failure is a miss, never an error.
import type { BusRedis, Hints } from '@robbie/bus'
import type { SecretRow } from './secrets.repository.js'

const PLAIN_TTL_MS = 30_000
const PLAIN_MAX = 10_000
const RESOLVE_TTL_MS = 60_000
export const CHANGED_HINT = 'secrets-changed'

/** What a resolution cache entry holds: metadata of the winning entry (no value, no ciphertext). */
export type ResolvedMeta = Pick<SecretRow, 'id' | 'service' | 'name' | 'scope' | 'scopeId' | 'version' | 'managed' | 'visibility'> & { expiresAt: string | null }

export function createSecretsCache (opts: { redis: BusRedis, hints: Pick<Hints, 'publish' | 'subscribe'>, now?: () => number }) {
  const now = opts.now ?? Date.now
  const plain = new Map<string, { value: string, until: number }>()
  const resolveKey = (service: string, name: string) => `${opts.redis.prefix}secrets:resolve:${service}/${name}`
  let unsubscribe: (() => Promise<void>) | undefined

  const evictLocal = (secretId: string | null) => {
    if (secretId === null) { plain.clear(); return }
    for (const k of plain.keys()) if (k.startsWith(`${secretId}:`)) plain.delete(k)
  }

  return {
    getPlain (secretId: string, version: number): string | undefined {
      const hit = plain.get(`${secretId}:${version}`)
      if (!hit) return undefined
      if (hit.until <= now()) { plain.delete(`${secretId}:${version}`); return undefined }
      return hit.value
    },
    setPlain (secretId: string, version: number, value: string): void {
      if (plain.size >= PLAIN_MAX) plain.delete(plain.keys().next().value!) // oldest first (insertion order)
      plain.set(`${secretId}:${version}`, { value, until: now() + PLAIN_TTL_MS })
    },
    async getResolved (service: string, name: string, node: string | null): Promise<ResolvedMeta | null | undefined> {
      try {
        const raw = await opts.redis.client.hget(resolveKey(service, name), node ?? '')
        return raw === null ? undefined : JSON.parse(raw) as ResolvedMeta | null
      } catch { return undefined }
    },
    async setResolved (service: string, name: string, node: string | null, meta: ResolvedMeta | null): Promise<void> {
      try {
        const key = resolveKey(service, name)
        await opts.redis.client.multi().hset(key, node ?? '', JSON.stringify(meta)).pexpire(key, RESOLVE_TTL_MS).exec()
      } catch { /* a miss next time */ }
    },
    /** After a committed write: drop the resolution metadata and every instance's decrypted values of the secret. */
    async invalidate (s: Pick<SecretRow, 'id' | 'service' | 'name'>): Promise<void> {
      evictLocal(s.id)
      await opts.redis.client.del(resolveKey(s.service, s.name)).catch(() => 0)
      await opts.hints.publish(CHANGED_HINT, { secretId: s.id, service: s.service, name: s.name }).catch(() => 0)
    },
    /** Everything, on every instance (after a master-key rotation, say). */
    async invalidateAll (): Promise<void> {
      evictLocal(null)
      await opts.hints.publish(CHANGED_HINT, { secretId: null }).catch(() => 0)
    },
    async start (): Promise<void> {
      unsubscribe = await opts.hints.subscribe(CHANGED_HINT, (payload) => {
        const id = (payload as { secretId?: unknown } | null)?.secretId
        evictLocal(typeof id === 'string' ? id : null)
      })
    },
    async stop (): Promise<void> { await unsubscribe?.() }
  }
}
export type SecretsCache = ReturnType<typeof createSecretsCache>
