// The sockets of this process, by user, and the fleet-wide count per user (SPEC §3.1: at most 10; the 11th
// closes with 4429): a Redis sorted set of socket ids scored by when they lapse, refreshed on every ping, so
// a replica that dies stops counting within a minute. The hub also acts on what any replica announces: a user
// disabled (4403) or given another role (4401: sign in again), a key revoked (4401), a frame for all of a user's sockets.
import type { BusRedis } from '@robbie/bus'
import type { Control } from '../live/control.js'
import type { ServerFrame } from './frame-bus.js'

export interface HubSocket {
  id: string
  userId: string
  role: string | undefined
  keyId: string | undefined
  topics: ReadonlySet<string>
  push (frame: ServerFrame): void
  close (code: number, reason: string): void
}

const MAX_SOCKETS_PER_USER = 10

const REGISTER = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZSCORE', KEYS[1], ARGV[4]) == false and redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return 1`

export function createHub (opts: { redis: BusRedis, control: Control, pingMs: number, max?: number }) {
  const byUser = new Map<string, Set<HubSocket>>()
  const key = (userId: string) => `${opts.redis.prefix}chat:u:${userId}:sockets`
  const lapseMs = opts.pingMs * 2 + 10_000
  const max = opts.max ?? MAX_SOCKETS_PER_USER

  const local = (userId: string) => [...(byUser.get(userId) ?? [])]

  opts.control.on((m) => {
    if (m.kind === 'user') {
      for (const s of local(m.userId)) {
        if (m.status === 'disabled') s.close(4403, 'user disabled')
        else if (s.role !== m.role) s.close(4401, 'role changed: sign in again')
      }
    } else if (m.kind === 'push') {
      for (const s of local(m.userId)) s.push(m.frame)
    }
  })

  return {
    /** Counts the socket in; false when the user already has `max` open (the caller closes with 4429). */
    async register (s: HubSocket): Promise<boolean> {
      const now = Date.now()
      const ok = await opts.redis.client.eval(REGISTER, 1, key(s.userId), String(now), String(now + lapseMs), String(max), s.id, String(lapseMs))
      if (Number(ok) !== 1) return false
      let set = byUser.get(s.userId)
      if (!set) { set = new Set(); byUser.set(s.userId, set) }
      set.add(s)
      return true
    },
    async refresh (s: HubSocket): Promise<void> {
      await opts.redis.client.multi().zadd(key(s.userId), 'XX', Date.now() + lapseMs, s.id).pexpire(key(s.userId), lapseMs).exec()
    },
    async unregister (s: HubSocket): Promise<void> {
      const set = byUser.get(s.userId)
      if (set?.delete(s) && set.size === 0) byUser.delete(s.userId)
      await opts.redis.client.zrem(key(s.userId), s.id).catch(() => 0)
    },
    /** Every socket of this process (the live relay filters them). */
    all: (): HubSocket[] => [...byUser.values()].flatMap((set) => [...set]),
    /** A frame for every socket of the user, on whichever replica it is. */
    pushToUser: async (userId: string, frame: ServerFrame) => { await opts.control.publish({ kind: 'push', userId, frame }) },
    closeKey (keyId: string): void {
      for (const s of [...byUser.values()].flatMap((set) => [...set])) if (s.keyId === keyId) s.close(4401, 'API key revoked')
    }
  }
}
export type Hub = ReturnType<typeof createHub>
