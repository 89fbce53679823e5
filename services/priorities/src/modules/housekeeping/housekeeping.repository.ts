// SQL of the housekeeping jobs (SPEC §4.6). Reads map rows with the items module's toItem, so the scorer sees
// exactly what the items service stores.
import type { Pool } from '@robbie/db'
import { ITEM_COLUMNS, ITEM_FROM, toItem, type ItemRow } from '../items/index.js'

type Client = Pick<Pool, 'query'>

const COLUMNS = ITEM_COLUMNS
const FROM = ITEM_FROM

export interface StoredScore { id: string, importance: number, urgency: number, score: number, quadrant: string }

export function createHousekeepingRepository () {
  return {
    /** Every open or snoozed item: what the rescore recomputes. */
    async openItems (client: Client): Promise<ItemRow[]> {
      const { rows } = await client.query(`SELECT ${COLUMNS} FROM ${FROM} WHERE i.status IN ('open', 'snoozed')`)
      return rows.map(toItem)
    },

    /** One UPDATE for all changed rows (unnest of parallel arrays). */
    async writeScores (client: Client, changed: StoredScore[]): Promise<number> {
      if (changed.length === 0) return 0
      const { rowCount } = await client.query(
        `UPDATE items i SET importance = c.importance, urgency = c.urgency, score = c.score, quadrant = c.quadrant
           FROM unnest($1::uuid[], $2::real[], $3::real[], $4::real[], $5::text[]) AS c(id, importance, urgency, score, quadrant)
          WHERE i.id = c.id`,
        [changed.map((c) => c.id), changed.map((c) => c.importance), changed.map((c) => c.urgency), changed.map((c) => c.score), changed.map((c) => c.quadrant)])
      return rowCount ?? 0
    },

    /** SPEC §4.6: open Q4 items idle for 48 h, not pinned, without revenue, not deals → archived (returned). */
    async archiveIdleQ4 (client: Client, now: Date): Promise<ItemRow[]> {
      const { rows } = await client.query<{ id: string }>(
        `UPDATE items SET status = 'archived', updated_at = $1, version = version + 1
          WHERE status = 'open' AND quadrant = 'Q4' AND last_activity_at < $1::timestamptz - interval '48 hours'
            AND NOT pinned AND revenue_potential = 0 AND kind <> 'deal'
          RETURNING id`, [now])
      if (rows.length === 0) return []
      const found = await client.query(`SELECT ${COLUMNS} FROM ${FROM} WHERE i.id = ANY($1::uuid[])`, [rows.map((r) => r.id)])
      return found.rows.map(toItem)
    },

    /** Open Q1 items per responsible user (the assignee, else the owner). */
    async q1Counts (client: Client): Promise<Map<string, number>> {
      const { rows } = await client.query<{ user_id: string, n: number }>(
        `SELECT coalesce(assignee_user_id, owner_user_id) AS user_id, count(*)::int AS n FROM items
          WHERE status = 'open' AND quadrant = 'Q1' GROUP BY 1`)
      return new Map(rows.map((r) => [r.user_id, r.n]))
    },

    async overloadStates (client: Client): Promise<Map<string, boolean>> {
      const { rows } = await client.query<{ user_id: string, overloaded: boolean }>('SELECT user_id, overloaded FROM q1_overload')
      return new Map(rows.map((r) => [r.user_id, r.overloaded]))
    },

    async setOverload (client: Client, userId: string, overloaded: boolean, count: number, now: Date): Promise<void> {
      await client.query(
        `INSERT INTO q1_overload (user_id, overloaded, count, changed_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (user_id) DO UPDATE SET overloaded = excluded.overloaded, count = excluded.count, changed_at = excluded.changed_at`,
        [userId, overloaded, count, now])
    },

    async ownerId (client: Client): Promise<string | null> {
      const { rows } = await client.query<{ user_id: string }>(
        "SELECT user_id FROM known_users WHERE role = 'owner' AND status = 'active' ORDER BY updated_at DESC LIMIT 1")
      return rows[0]?.user_id ?? null
    },

    /**
     * SPEC §4.6 escalation: open tasks assigned to someone other than the owner, with a due date, not acknowledged
     * and not yet escalated, once half the time from creation to due has passed. Marks them and returns them.
     */
    async escalateDue (client: Client, ownerId: string, now: Date): Promise<ItemRow[]> {
      const { rows } = await client.query<{ item_id: string }>(
        `UPDATE task_details t SET escalated_at = $2, watcher_user_ids = CASE WHEN $1::uuid = ANY(t.watcher_user_ids)
             THEN t.watcher_user_ids ELSE array_append(t.watcher_user_ids, $1::uuid) END
           FROM items i
          WHERE i.id = t.item_id AND i.kind = 'task' AND i.status IN ('open', 'snoozed') AND t.status IN ('pending', 'in_progress')
            AND i.assignee_user_id IS NOT NULL AND i.assignee_user_id <> $1::uuid AND t.due_at IS NOT NULL
            AND t.acknowledged_at IS NULL AND t.escalated_at IS NULL
            AND $2::timestamptz >= i.created_at + (t.due_at - i.created_at) / 2
          RETURNING t.item_id`, [ownerId, now])
      if (rows.length === 0) return []
      const ids = rows.map((r) => r.item_id)
      // "becomes human for the owner": the owner's surface shows human items only
      await client.query(
        `UPDATE items SET domain_override = coalesce(domain_override, 'human'), updated_at = $2, version = version + 1
          WHERE id = ANY($1::uuid[])`, [ids, now])
      const found = await client.query(`SELECT ${COLUMNS} FROM ${FROM} WHERE i.id = ANY($1::uuid[])`, [ids])
      return found.rows.map(toItem)
    }
  }
}
export type HousekeepingRepository = ReturnType<typeof createHousekeepingRepository>
