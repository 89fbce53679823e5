// Where each service's audit chain is read: auth's own from its database, every other one through its
// GET /internal/<service>/audit with auth's service key (SPEC §2.4). Rows come back in the kit's API form.
import { readFileSync } from 'node:fs'
import { SERVICES } from '@robbie/contracts'
import type { Queryable } from '@robbie/db'
import { createServiceClient, genericError, serviceUrlVar, toAuditEvent, type AuditEvent } from '@robbie/service-kit'

export interface AuditFilters {
  from?: string, to?: string, actorId?: string, action?: string, resourceType?: string, resourceId?: string, outcome?: string, traceId?: string
}
/** newest first below `cursor` (a seq), or ascending from `fromSeq` */
export interface ChainQuery extends AuditFilters { limit: number, cursor?: string, fromSeq?: number }
export interface ChainPage { items: AuditEvent[], nextCursor: string | null }
export type ChainReader = (query: ChainQuery) => Promise<ChainPage>

const COLUMNS = 'seq, id, at, service, actor_type, actor_id, on_behalf_of, action, resource_type, resource_id, outcome, request_id, trace_id, ip, details, prev_hash, hash'

/** auth's own chain: the same query as the kit's internal route, without a call to itself. */
export function localChain (pool: Queryable): ChainReader {
  return async (q) => {
    const where: string[] = []
    const params: unknown[] = []
    const add = (sql: string, value: unknown) => { params.push(value); where.push(sql.replace('?', `$${params.length}`)) }
    if (q.from) add('at >= ?', q.from)
    if (q.to) add('at < ?', q.to)
    if (q.actorId) add('actor_id = ?', q.actorId)
    if (q.action) add('action = ?', q.action)
    if (q.resourceType) add('resource_type = ?', q.resourceType)
    if (q.resourceId) add('resource_id = ?', q.resourceId)
    if (q.outcome) add('outcome = ?', q.outcome)
    if (q.traceId) add('trace_id = ?', q.traceId)
    const ascending = q.fromSeq !== undefined
    if (ascending) add('seq >= ?', q.fromSeq)
    if (q.cursor) add(ascending ? 'seq > ?' : 'seq < ?', q.cursor)
    params.push(q.limit + 1)
    const { rows } = await pool.query(
      `SELECT ${COLUMNS} FROM audit_events ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq ${ascending ? 'ASC' : 'DESC'} LIMIT $${params.length}`, params)
    const items = rows.slice(0, q.limit).map((r) => toAuditEvent(r as Parameters<typeof toAuditEvent>[0]))
    return { items, nextCursor: rows.length > q.limit ? String(items[items.length - 1]!.seq) : null }
  }
}

export function remoteChain (service: string, baseUrl: string, serviceKeyFile: string): ChainReader {
  let client: ReturnType<typeof createServiceClient> | undefined
  return async (q) => {
    client ??= createServiceClient({ caller: 'auth', baseUrl, serviceKey: readFileSync(serviceKeyFile, 'utf8').trim(), timeoutMs: 10_000 })
    const qs = new URLSearchParams()
    for (const [k, v] of Object.entries(q)) if (v !== undefined) qs.set(k, String(v))
    const res = await client.request<ChainPage>('GET', `/internal/${service}/audit?${qs.toString()}`)
    if (res.status !== 200 || !res.body || !Array.isArray(res.body.items)) {
      throw genericError('auth', 'UNAVAILABLE', `The audit log of ${service} could not be read`, { headers: { 'retry-after': '5' } })
    }
    return res.body
  }
}

/** Every chain of this fleet: auth's own, and each service whose ROBBIE_<SERVICE>_URL is set. */
export function fleetChains (opts: { pool: Queryable, config: Record<string, unknown>, serviceKeyFile: string }): Map<string, ChainReader> {
  const chains = new Map<string, ChainReader>([['auth', localChain(opts.pool)]])
  for (const service of SERVICES) {
    const url = opts.config[serviceUrlVar(service)]
    if (service !== 'auth' && typeof url === 'string' && url.length > 0) chains.set(service, remoteChain(service, url, opts.serviceKeyFile))
  }
  return chains
}
