// The decision log (SPEC §7.4): one row per model call, listed newest first for owner and admins, purged after
// 7 days.
import { uuidv7 } from '@robbie/contracts'
import type { Pool } from '@robbie/db'
import type { CandidateScore, PriorityClass } from '../mesh/mesh.types.js'

export interface Decision {
  requestId: string
  at: Date
  model: string
  class: PriorityClass
  identity: string
  candidates: CandidateScore[]
  chosen: string | null
  nodeId: string | null
  queueMs: number
  failovers: number
  outcome: string
  ttftMs: number | null
  tokensOut: number | null
  durationMs: number
}

export interface DecisionFilter { requestId?: string, nodeId?: string, since?: string, limit: number, after?: { at: string, id: string } }

const COLUMNS = 'id, request_id, at, model, class, identity, candidates, chosen, node_id, queue_ms, failovers, outcome, ttft_ms, tokens_out, duration_ms'
const PER_ROW = COLUMNS.split(',').length
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const int = (n: number | null) => n === null ? null : Math.max(0, Math.min(2_147_483_647, Math.round(n)))

const toView = (r: Record<string, unknown>) => ({
  id: r.id as string,
  requestId: r.request_id as string,
  at: (r.at as Date).toISOString(),
  model: r.model as string,
  class: r.class as PriorityClass,
  identity: r.identity as string,
  candidates: r.candidates as CandidateScore[],
  chosen: r.chosen as string | null,
  nodeId: r.node_id as string | null,
  queueMs: r.queue_ms as number,
  failovers: r.failovers as number,
  outcome: r.outcome as string,
  ttftMs: r.ttft_ms as number | null,
  tokensOut: r.tokens_out as number | null,
  durationMs: r.duration_ms as number
})
export type DecisionView = ReturnType<typeof toView>

export function createDecisionsRepository (pool: Pool) {
  async function insertMany (ds: Decision[]): Promise<void> {
    if (ds.length === 0) return
    const args: unknown[] = []
    const tuples = ds.map((d) => {
      const first = args.length
      args.push(uuidv7(), d.requestId, d.at, d.model.slice(0, 200), d.class, d.identity, JSON.stringify(d.candidates), d.chosen,
        d.nodeId !== null && UUID.test(d.nodeId) ? d.nodeId : null, int(d.queueMs), d.failovers, d.outcome, int(d.ttftMs), int(d.tokensOut), int(d.durationMs))
      return `(${Array.from({ length: PER_ROW }, (_v, i) => `$${first + i + 1}`).join(', ')})`
    })
    await pool.query(`INSERT INTO decisions (${COLUMNS}) VALUES ${tuples.join(', ')}`, args)
  }

  return {
    /** Many rows in one statement (the write-behind's batches): all of them or none. */
    insertMany,
    async list (f: DecisionFilter): Promise<DecisionView[]> {
      const where: string[] = []
      const args: unknown[] = []
      const arg = (v: unknown) => { args.push(v); return `$${args.length}` }
      if (f.requestId) where.push(`request_id = ${arg(f.requestId)}`)
      if (f.nodeId) where.push(`node_id = ${arg(f.nodeId)}`)
      if (f.since) where.push(`at >= ${arg(f.since)}`)
      if (f.after) where.push(`(at, id) < (${arg(f.after.at)}, ${arg(f.after.id)})`)
      const { rows } = await pool.query(
        `SELECT ${COLUMNS} FROM decisions ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY at DESC, id DESC LIMIT ${arg(f.limit)}`, args)
      return rows.map(toView)
    },
    async purge (): Promise<number> {
      const result = await pool.query("DELETE FROM decisions WHERE at < now() - interval '7 days'")
      return result.rowCount ?? 0
    }
  }
}
export type DecisionsRepository = ReturnType<typeof createDecisionsRepository>
