// Whether the killswitch is on (SPEC §11.5, §3.7 rule 5). Auth mirrors its state to `<prefix>killswitch` in Redis
// and announces each change with auth.killswitch.changed.v1, which chat's consumer keeps in its own table. The
// mirror is read first (it is fresh on every replica); without it the last event decides; with neither, the
// switch counts as active, which only sends calls to approval.
import type { Pool, PoolClient } from '@robbie/db'
import type { BusRedis } from '@robbie/bus'
import type { EventEnvelope } from '@robbie/contracts'

export interface KillswitchState { active: boolean, pauseOutbound: boolean, reason: string | null, known: boolean }

export const KILLSWITCH_EVENT = 'auth.killswitch.changed.v1'

export function createKillswitch (opts: { redis: Pick<BusRedis, 'client' | 'prefix'>, pool: Pool }) {
  const key = `${opts.redis.prefix}killswitch`

  async function fromRedis (): Promise<KillswitchState | 'missing' | 'down'> {
    try {
      const raw = await opts.redis.client.get(key)
      if (raw === null) return 'missing'
      const s = JSON.parse(raw) as { active?: unknown, pauseOutbound?: unknown, reason?: unknown }
      return { active: s.active === true, pauseOutbound: s.pauseOutbound === true, reason: typeof s.reason === 'string' ? s.reason : null, known: true }
    } catch {
      return 'down'
    }
  }

  async function fromEvents (): Promise<KillswitchState | null> {
    try {
      const { rows } = await opts.pool.query<{ active: boolean, pause_outbound: boolean, reason: string | null }>(
        'SELECT active, pause_outbound, reason FROM killswitch_state WHERE id = 1')
      const r = rows[0]
      return r ? { active: r.active, pauseOutbound: r.pause_outbound, reason: r.reason, known: true } : null
    } catch {
      return null
    }
  }

  return {
    async state (): Promise<KillswitchState> {
      const mirrored = await fromRedis()
      if (typeof mirrored === 'object') return mirrored
      const seen = await fromEvents()
      if (seen) return seen
      // never switched (the mirror answers but has no key): off; nobody answers: treat as on
      return mirrored === 'missing' ? { active: false, pauseOutbound: false, reason: null, known: true } : { active: true, pauseOutbound: true, reason: null, known: false }
    },

    /** For chat's consumer of the `auth` stream: the newest event wins, older ones arriving late are ignored. */
    async handle (event: EventEnvelope, client: PoolClient): Promise<void> {
      if (event.type !== KILLSWITCH_EVENT) return
      const d = event.data as { active?: unknown, pauseOutbound?: unknown, reason?: unknown, by?: unknown }
      await client.query(
        `INSERT INTO killswitch_state AS k (id, active, pause_outbound, reason, changed_by, event_at, updated_at)
         VALUES (1, $1, $2, $3, $4, $5, now())
         ON CONFLICT (id) DO UPDATE SET active = $1, pause_outbound = $2, reason = $3, changed_by = $4, event_at = $5, updated_at = now()
         WHERE k.event_at <= $5`,
        [d.active === true, d.pauseOutbound === true, typeof d.reason === 'string' ? d.reason.slice(0, 500) : null,
          typeof d.by === 'string' ? d.by.slice(0, 200) : null, event.occurredAt])
    }
  }
}
export type Killswitch = ReturnType<typeof createKillswitch>
