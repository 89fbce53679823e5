// SQL of the intake (SPEC §4.8): items made from other services' events, found and closed again by their source
// id (item_sources is unique on (source_type, source_id), which is what makes every handler idempotent on its own).
import type { PoolClient } from '@robbie/db'

type Client = Pick<PoolClient, 'query'>

export interface NewItem {
  kind: 'task' | 'email' | 'meeting' | 'calendar_conflict'
  title: string
  ownerUserId: string
  assigneeUserId: string | null
  visibility: 'owner' | 'private' | 'company'
  domain: 'human' | 'agent' | 'self'
  source: { type: string, id: string, url?: string | null }
  deadline?: string | null
  awaitingReply?: boolean
  expectedResponseHours?: number | null
  senderEmail?: string | null
  senderTier?: string | null
  senderScore?: number | null
  revenuePotential?: number
  bodyPreview?: string | null
  taint?: boolean
  urgencyOverride?: number | null
  details?: Record<string, unknown>
  task?: { priority: 'low' | 'medium' | 'high' | 'critical', category: string, dueAt: string | null, description?: string | null, escalate?: boolean }
}

export interface SourcedItem { id: string, kind: string, status: string, details: Record<string, unknown> }

export function createIntakeRepository () {
  return {
    async bySource (client: Client, type: string, id: string): Promise<SourcedItem | null> {
      const { rows } = await client.query<SourcedItem>(
        `SELECT i.id, i.kind, i.status, i.details FROM item_sources s JOIN items i ON i.id = s.item_id
          WHERE s.source_type = $1 AND s.source_id = $2`, [type, id])
      return rows[0] ?? null
    },

    /** What createFromSource does not take: an urgency override and an immediate escalation (SPEC §9, publicly leaked). */
    async applyIntakeExtras (client: Client, itemId: string, x: { urgencyOverride: number | null, escalateTo: string | null }): Promise<void> {
      if (x.urgencyOverride !== null) await client.query('UPDATE items SET urgency_override = $2 WHERE id = $1', [itemId, x.urgencyOverride])
      if (x.escalateTo !== null) {
        await client.query(
          `UPDATE task_details SET escalated_at = now(), watcher_user_ids = array_append(watcher_user_ids, $2::uuid)
            WHERE item_id = $1 AND escalated_at IS NULL`, [itemId, x.escalateTo])
      }
    },

    /** Refreshes an event-derived item from a newer version of its source. */
    async refresh (client: Client, itemId: string, fields: { title: string, deadline: string | null, details: Record<string, unknown> }): Promise<void> {
      await client.query(
        `UPDATE items SET title = $2, deadline = $3, details = $4, updated_at = now(), last_activity_at = now(), version = version + 1
          WHERE id = $1`, [itemId, fields.title.slice(0, 300), fields.deadline, JSON.stringify(fields.details)])
    },

    /**
     * Closes the open item of a source: tasks are completed, other kinds marked done. Already closed → no change,
     * so a replay (or a second "resolved") does nothing. Returns whether a row changed.
     */
    async closeBySource (client: Client, type: string, id: string): Promise<string[]> {
      const { rows } = await client.query<{ id: string }>(
        `UPDATE items i SET status = 'done', updated_at = now(), last_activity_at = now(), version = i.version + 1
           FROM item_sources s
          WHERE s.source_type = $1 AND s.source_id = $2 AND i.id = s.item_id AND i.status IN ('open', 'snoozed', 'suggested')
          RETURNING i.id`, [type, id])
      if (rows.length === 0) return []
      const ids = rows.map((r) => r.id)
      await client.query(
        `UPDATE task_details SET status = 'completed', completed_at = now()
          WHERE item_id = ANY($1::uuid[]) AND status IN ('pending', 'in_progress')`, [ids])
      return ids
    },

    /** Closes every open item with a source of `type` whose id starts with `prefix` (rotation tasks of one secret). */
    async closeBySourcePrefix (client: Client, type: string, prefix: string): Promise<string[]> {
      const { rows } = await client.query<{ source_id: string }>(
        `SELECT s.source_id FROM item_sources s JOIN items i ON i.id = s.item_id
          WHERE s.source_type = $1 AND starts_with(s.source_id, $2) AND i.status IN ('open', 'snoozed')`, [type, prefix])
      const ids: string[] = []
      for (const r of rows) ids.push(...await this.closeBySource(client, type, r.source_id))
      return ids
    },

    async sender (client: Client, email: string): Promise<{ tier: string, score: number, responseHours: number, name: string | null } | null> {
      const { rows } = await client.query<{ tier: string, score: number, response_hours: number, name: string | null }>(
        'SELECT tier, score, response_hours, name FROM people WHERE email = $1', [email.toLowerCase()])
      const r = rows[0]
      return r ? { tier: r.tier, score: r.score, responseHours: r.response_hours, name: r.name } : null
    },

    /** R of SPEC §4.1: amount × probability / 100 of the largest open deal whose contacts include the sender. */
    async revenueFor (client: Client, email: string): Promise<number> {
      const { rows } = await client.query<{ r: string | null }>(
        `SELECT max(amount * probability / 100) AS r FROM deals
          WHERE $1 = ANY(contact_emails) AND coalesce(stage, '') NOT IN ('closed_won', 'closed_lost', 'won', 'lost')`, [email.toLowerCase()])
      return Number(rows[0]?.r ?? 0)
    },

    async ownerId (client: Client): Promise<string | null> {
      const { rows } = await client.query<{ user_id: string }>(
        "SELECT user_id FROM known_users WHERE role = 'owner' AND status = 'active' ORDER BY updated_at DESC LIMIT 1")
      return rows[0]?.user_id ?? null
    },

    /** Newer versions win; an older or equal one changes nothing (SPEC §0.4). Returns whether it was applied. */
    async upsertUser (client: Client, u: { userId: string, role: string, status: string, version: number }): Promise<boolean> {
      const { rowCount } = await client.query(
        `INSERT INTO known_users (user_id, role, status, version, updated_at) VALUES ($1, $2, $3, $4, now())
         ON CONFLICT (user_id) DO UPDATE SET role = excluded.role, status = excluded.status, version = excluded.version,
           updated_at = excluded.updated_at
         WHERE known_users.version < excluded.version`, [u.userId, u.role, u.status, u.version])
      return (rowCount ?? 0) > 0
    },

    /** SPEC §4.8: a disabled user's open tasks go unassigned. Returns how many. */
    async unassignOpenTasks (client: Client, userId: string): Promise<number> {
      const { rowCount } = await client.query(
        `UPDATE items SET assignee_user_id = NULL, updated_at = now(), version = version + 1
          WHERE assignee_user_id = $1 AND kind = 'task' AND status IN ('open', 'snoozed')`, [userId])
      return rowCount ?? 0
    },

    /** user_focus keeps the newest `gandhi` (SPEC §4.4); older versions are ignored. */
    async upsertFocus (client: Client, userId: string, gandhi: number, version: number): Promise<boolean> {
      const { rowCount } = await client.query(
        `INSERT INTO user_focus (user_id, gandhi, version, updated_at) VALUES ($1, $2, $3, now())
         ON CONFLICT (user_id) DO UPDATE SET gandhi = excluded.gandhi, version = excluded.version, updated_at = excluded.updated_at
         WHERE user_focus.version < excluded.version`, [userId, gandhi, version])
      return (rowCount ?? 0) > 0
    }
  }
}
export type IntakeRepository = ReturnType<typeof createIntakeRepository>
