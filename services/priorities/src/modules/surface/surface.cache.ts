// SPEC §4.7: the surface per viewer cached in Redis under
// <prefix>priorities:surface:<viewerId>:<top>:<userVer>:<companyVer> (TTL 60 s). A write bumps
// <prefix>priorities:ver:<userId> for each affected user (ver:company for company items) after its commit,
// which makes every older key unreachable, then pushes `surface.changed` live. The cache is an optimisation:
// any Redis failure is a miss (the surface is computed directly), never an error.
import type { BusRedis, Hints } from '@robbie/bus'
import type { Affected, ChangeNotifier } from '../items/items.service.js'

const TTL_S = 60

export interface Versions { user: number, company: number }

export function createSurfaceCache (opts: { redis: BusRedis, hints: Pick<Hints, 'live'> }): ChangeNotifier & {
  versions (userId: string): Promise<Versions | null>
  get (userId: string, top: number, v: Versions): Promise<string | null>
  set (userId: string, top: number, v: Versions, json: string): Promise<void>
} {
  const { redis } = opts
  const verKey = (id: string) => `${redis.prefix}priorities:ver:${id}`
  const surfaceKey = (userId: string, top: number, v: Versions) => `${redis.prefix}priorities:surface:${userId}:${top}:${v.user}:${v.company}`

  return {
    async changed (affected: Affected): Promise<void> {
      const users = [...new Set(affected.users)]
      const keys = [...users.map(verKey), ...(affected.company ? [verKey('company')] : [])]
      if (keys.length === 0) return
      const pipeline = redis.client.multi()
      for (const k of keys) pipeline.incr(k)
      const results = await pipeline.exec().catch(() => null)
      if (!results) return
      // the version a browser compares is the sum; it only grows
      const company = affected.company ? Number(results[results.length - 1]?.[1] ?? 0) : null
      await Promise.all(users.map(async (userId, n) => {
        const user = Number(results[n]?.[1] ?? 0)
        const c = company ?? Number(await redis.client.get(verKey('company')).catch(() => 0) ?? 0)
        await opts.hints.live({ userId, type: 'surface.changed', version: user + c }).catch(() => 0)
      }))
      if (affected.company) {
        await opts.hints.live({ scope: 'company', type: 'surface.changed', version: company }).catch(() => 0)
      }
    },
    async versions (userId: string): Promise<Versions | null> {
      try {
        const [user, company] = await redis.client.mget(verKey(userId), verKey('company'))
        return { user: Number(user ?? 0), company: Number(company ?? 0) }
      } catch { return null }
    },
    async get (userId, top, v) {
      try { return await redis.client.get(surfaceKey(userId, top, v)) } catch { return null }
    },
    async set (userId, top, v, json) {
      try { await redis.client.set(surfaceKey(userId, top, v), json, 'EX', TTL_S) } catch { /* a miss next time */ }
    }
  }
}
export type SurfaceCache = ReturnType<typeof createSurfaceCache>
