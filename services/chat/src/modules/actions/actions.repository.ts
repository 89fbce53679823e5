// SQL of the actions table (SPEC §3.7). Rows are mapped to camelCase; every method takes an optional client last.
import type { Pool, Queryable } from '@robbie/db'
import type { Origin, ToolClass, ToolName } from '../tools/tools.specs.js'

export type ActionStatus = 'proposed' | 'approved' | 'rejected' | 'executing' | 'scheduled' | 'done' | 'failed' | 'undone' | 'expired' | 'cancelled'

export interface ActionRow {
  id: string
  tool: ToolName
  class: ToolClass
  args: Record<string, unknown>
  origin: Origin
  requesterId: string
  conversationId: string | null
  messageId: string | null
  confidence: number
  taint: boolean
  status: ActionStatus
  decidedBy: string | null
  decidedAt: Date | null
  executeAfter: Date | null
  targetService: string | null
  targetRef: string | null
  idempotencyKey: string
  result: Record<string, unknown> | null
  error: string | null
  undo: Record<string, unknown> | null
  traceId: string | null
  createdAt: Date
  updatedAt: Date
  expiresAt: Date | null
}

const COLUMNS = `id, tool, class, args, origin, requester_id, conversation_id, message_id, confidence, taint, status, decided_by,
  decided_at, execute_after, target_service, target_ref, idempotency_key, result, error, undo, trace_id, created_at, updated_at, expires_at`

const toRow = (r: Record<string, unknown>): ActionRow => ({
  id: r.id as string,
  tool: r.tool as ToolName,
  class: r.class as ToolClass,
  args: r.args as Record<string, unknown>,
  origin: r.origin as Origin,
  requesterId: r.requester_id as string,
  conversationId: r.conversation_id as string | null,
  messageId: r.message_id as string | null,
  confidence: Number(r.confidence),
  taint: r.taint as boolean,
  status: r.status as ActionStatus,
  decidedBy: r.decided_by as string | null,
  decidedAt: r.decided_at as Date | null,
  executeAfter: r.execute_after as Date | null,
  targetService: r.target_service as string | null,
  targetRef: r.target_ref as string | null,
  idempotencyKey: r.idempotency_key as string,
  result: r.result as Record<string, unknown> | null,
  error: r.error as string | null,
  undo: r.undo as Record<string, unknown> | null,
  traceId: r.trace_id as string | null,
  createdAt: r.created_at as Date,
  updatedAt: r.updated_at as Date,
  expiresAt: r.expires_at as Date | null
})

/** The columns a change may set, camelCase → snake_case. */
const SETTABLE = {
  args: 'args',
  status: 'status',
  decidedBy: 'decided_by',
  decidedAt: 'decided_at',
  executeAfter: 'execute_after',
  targetService: 'target_service',
  targetRef: 'target_ref',
  result: 'result',
  error: 'error',
  undo: 'undo'
} as const
export type ActionChange = Partial<Pick<ActionRow, keyof typeof SETTABLE>>
const JSONB = new Set(['args', 'result', 'undo'])

export function createActionsRepository (pool: Pool) {
  const q = (client?: Queryable) => client ?? pool
  return {
    async insert (a: ActionRow, client?: Queryable): Promise<ActionRow> {
      const { rows } = await q(client).query(`INSERT INTO actions (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,
        $17, $18, $19, $20, $21, $22, $23, $24) RETURNING ${COLUMNS}`, [a.id, a.tool, a.class, JSON.stringify(a.args), a.origin, a.requesterId,
        a.conversationId, a.messageId, a.confidence, a.taint, a.status, a.decidedBy, a.decidedAt, a.executeAfter, a.targetService, a.targetRef,
        a.idempotencyKey, a.result === null ? null : JSON.stringify(a.result), a.error, a.undo === null ? null : JSON.stringify(a.undo), a.traceId,
        a.createdAt, a.updatedAt, a.expiresAt])
      return toRow(rows[0]!)
    },

    async find (id: string, client?: Queryable, lock = false): Promise<ActionRow | null> {
      const { rows } = await q(client).query(`SELECT ${COLUMNS} FROM actions WHERE id = $1 ${lock ? 'FOR UPDATE' : ''}`, [id])
      return rows[0] ? toRow(rows[0]) : null
    },

    async update (id: string, change: ActionChange, at: Date, client?: Queryable): Promise<ActionRow> {
      const sets: string[] = []
      const args: unknown[] = [id, at]
      for (const [key, column] of Object.entries(SETTABLE)) {
        const value = change[key as keyof ActionChange]
        if (value === undefined) continue
        args.push(JSONB.has(key) && value !== null ? JSON.stringify(value) : value)
        sets.push(`${column} = $${args.length}`)
      }
      const { rows } = await q(client).query(`UPDATE actions SET ${[...sets, 'updated_at = $2'].join(', ')} WHERE id = $1 RETURNING ${COLUMNS}`, args)
      return toRow(rows[0]!)
    },

    /** The requester's actions, newest first; `after` is the last id of the previous page. */
    async list (requesterId: string, f: { status?: ActionStatus, limit: number, after?: string }, client?: Queryable): Promise<ActionRow[]> {
      const { rows } = await q(client).query(`SELECT ${COLUMNS} FROM actions WHERE requester_id = $1 AND ($2::text IS NULL OR status = $2)
        AND ($3::uuid IS NULL OR id < $3) ORDER BY id DESC LIMIT $4`, [requesterId, f.status ?? null, f.after ?? null, f.limit + 1])
      return rows.map(toRow)
    },

    /** The requester's actions whose id (hyphens ignored) starts with `hex`; a few, to tell "ambiguous" apart. */
    async byPrefix (requesterId: string, hex: string, limit: number, client?: Queryable): Promise<ActionRow[]> {
      const { rows } = await q(client).query(`SELECT ${COLUMNS} FROM actions WHERE requester_id = $1 AND replace(id::text, '-', '') LIKE $2 || '%'
        ORDER BY id DESC LIMIT $3`, [requesterId, hex, limit])
      return rows.map(toRow)
    },

    /** The requester's action ids that share a first 8 hex digits with `ids`: to print the shortest unique prefixes. */
    async neighbours (requesterId: string, ids: string[], client?: Queryable): Promise<string[]> {
      const heads = [...new Set(ids.map((id) => id.replace(/-/g, '').slice(0, 8)))]
      const { rows } = await q(client).query<{ id: string }>(`SELECT id FROM actions WHERE requester_id = $1
        AND left(replace(id::text, '-', ''), 8) = ANY($2::text[])`, [requesterId, heads])
      return rows.map((r) => r.id)
    },

    /** Proposals past their expiry become `expired` (SPEC §3.7: 7 days). */
    async expireDue (at: Date, client?: Queryable): Promise<ActionRow[]> {
      const { rows } = await q(client).query(`UPDATE actions SET status = 'expired', updated_at = $1
        WHERE status = 'proposed' AND expires_at <= $1 RETURNING ${COLUMNS}`, [at])
      return rows.map(toRow)
    }
  }
}
export type ActionsRepository = ReturnType<typeof createActionsRepository>
