// The session denylist of SPEC §2.1: a revoked session's `sid` is refused by every service (the kit checks
// `<prefix>auth:denied-sid:<sid>`) until its last access token has expired (15 min).
import type { BusRedis } from '@robbie/bus'

export const DENYLIST_TTL_S = 900
export const deniedSidKey = (prefix: string, sid: string) => `${prefix}auth:denied-sid:${sid}`

export interface Denylist {
  /** Adds the sids; false when Redis did not take them (the Postgres revocation stands either way). */
  deny: (sids: string[]) => Promise<boolean>
  /** true when Redis answers: privileged changes check this first and fail closed (SPEC §2.1) */
  available: () => Promise<boolean>
}

export function createDenylist (redis: Pick<BusRedis, 'client' | 'prefix'>, log: { warn: (obj: object, msg: string) => void }): Denylist {
  return {
    async deny (sids) {
      if (sids.length === 0) return true
      try {
        const multi = redis.client.multi()
        for (const sid of new Set(sids)) multi.set(deniedSidKey(redis.prefix, sid), '1', 'EX', DENYLIST_TTL_S)
        await multi.exec()
        return true
      } catch (err) {
        log.warn({ err: { message: (err as Error).message }, sessions: sids.length }, 'session denylist not written: redis unavailable')
        return false
      }
    },
    async available () {
      try { return (await redis.client.ping()) === 'PONG' } catch { return false }
    }
  }
}
