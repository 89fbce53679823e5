// SQL for the killswitch (SPEC §11.5): an append-only history whose newest row is the state.
import type { Queryable } from '@robbie/db'

export interface KillswitchRow { id: string, active: boolean, pauseOutbound: boolean, reason: string | null, actorId: string, at: Date }

export function createKillswitchRepository (pool: Queryable) {
  return {
    async latest (client: Queryable = pool): Promise<KillswitchRow | null> {
      const { rows } = await client.query<{ id: string, active: boolean, pause_outbound: boolean, reason: string | null, actor_id: string, at: Date }>(
        'SELECT id, active, pause_outbound, reason, actor_id, at FROM killswitch_events ORDER BY at DESC, id DESC LIMIT 1')
      const r = rows[0]
      return r ? { id: r.id, active: r.active, pauseOutbound: r.pause_outbound, reason: r.reason, actorId: r.actor_id, at: r.at } : null
    },
    async insert (row: KillswitchRow, client: Queryable = pool): Promise<void> {
      await client.query('INSERT INTO killswitch_events (id, active, pause_outbound, reason, actor_id, at) VALUES ($1, $2, $3, $4, $5, $6)',
        [row.id, row.active, row.pauseOutbound, row.reason, row.actorId, row.at])
    },
    /** serialises concurrent toggles so the history and the mirror agree */
    async lock (client: Queryable): Promise<void> {
      await client.query("SELECT pg_advisory_xact_lock(hashtext('auth.killswitch'))")
    }
  }
}
export type KillswitchRepository = ReturnType<typeof createKillswitchRepository>
