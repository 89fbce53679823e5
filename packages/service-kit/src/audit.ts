// The audit trail of a service (SPEC §2.4): `app.audit.record(client, entry, request)` appends to the service's
// own hash chain in the caller's transaction, so the record and the change commit together or not at all.
// A failed write is 503 <S>_AUDIT_UNAVAILABLE and the whole operation rolls back.
import { createHmac } from 'node:crypto'
import { readFileSync } from 'node:fs'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import { IsoDateTime, Page, Str, uuidv7 } from '@robbie/contracts'
import { withTransaction, type Pool, type Queryable } from '@robbie/db'
import { auditHash, GENESIS_HASH, type AuditEvent } from './audit-chain.js'
import { genericError, RobbieError } from './errors.js'

export interface AuditEntry {
  action: string
  outcome: 'success' | 'denied' | 'failed'
  resourceType?: string
  resourceId?: string
  details?: Record<string, unknown>
  /** defaults to the request's identity (or anonymous) */
  actor?: { type: AuditEvent['actorType'], id: string | null }
  onBehalfOf?: string
}

interface Row {
  seq: string,
  id: string,
  at: Date,
  service: string,
  actor_type: AuditEvent['actorType'],
  actor_id: string | null,
  on_behalf_of: string | null,
  action: string,
  resource_type: string | null,
  resource_id: string | null,
  outcome: AuditEvent['outcome'],
  request_id: string | null,
  trace_id: string | null,
  ip: string | null,
  details: Record<string, unknown>,
  prev_hash: string,
  hash: string
}
const COLUMNS = 'seq, id, at, service, actor_type, actor_id, on_behalf_of, action, resource_type, resource_id, outcome, request_id, trace_id, ip, details, prev_hash, hash'

export const toAuditEvent = (r: Row): AuditEvent => ({
  seq: Number(r.seq),
  id: r.id,
  at: r.at.toISOString(),
  service: r.service,
  actorType: r.actor_type,
  actorId: r.actor_id,
  onBehalfOf: r.on_behalf_of,
  action: r.action,
  resourceType: r.resource_type,
  resourceId: r.resource_id,
  outcome: r.outcome,
  requestId: r.request_id,
  traceId: r.trace_id,
  ip: r.ip,
  details: r.details,
  prevHash: r.prev_hash,
  hash: r.hash
})

function actorOf (request?: FastifyRequest): { type: AuditEvent['actorType'], id: string | null, onBehalfOf: string | null } {
  const identity = request?.identity
  if (!identity) return { type: 'anonymous', id: null, onBehalfOf: null }
  // a service acting for a user with a delegated token: the service acted, on the user's behalf
  if (identity.actor) return { type: 'service', id: identity.actor.id, onBehalfOf: identity.id }
  return { type: identity.kind === 'user' ? 'user' : 'service', id: identity.id, onBehalfOf: null }
}

export function createAudit (opts: { service: string, pool: Pool, hmacKeyFile?: string }) {
  const hmacKey = opts.hmacKeyFile ? readFileSync(opts.hmacKeyFile, 'utf8').trim() : undefined
  const audit = {
    /** Appends one row to the chain using `client` (the caller's transaction). */
    async record (client: Queryable, entry: AuditEntry, request?: FastifyRequest): Promise<AuditEvent> {
      const actor = entry.actor ? { ...entry.actor, onBehalfOf: entry.onBehalfOf ?? null } : actorOf(request)
      try {
        // one writer at a time per chain, released at COMMIT: seq stays gap-free and each row sees its predecessor
        await client.query('SELECT pg_advisory_xact_lock(hashtext(current_schema() || \':audit\'))')
        const head = await client.query<{ seq: string, hash: string }>('SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1')
        const prevHash = head.rows[0]?.hash ?? GENESIS_HASH
        const body = {
          seq: Number(head.rows[0]?.seq ?? 0) + 1,
          at: new Date().toISOString(),
          service: opts.service,
          actorType: actor.type,
          actorId: actor.id,
          onBehalfOf: actor.onBehalfOf,
          action: entry.action,
          resourceType: entry.resourceType ?? null,
          resourceId: entry.resourceId ?? null,
          outcome: entry.outcome,
          requestId: request?.id ?? null,
          traceId: request?.id ?? null,
          ip: request?.ip ?? null,
          details: entry.details ?? {}
        }
        const event: AuditEvent = { ...body, id: uuidv7(), prevHash, hash: auditHash(prevHash, body) }
        await client.query(`INSERT INTO audit_events (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`, [
          event.seq, event.id, event.at, event.service, event.actorType, event.actorId, event.onBehalfOf, event.action, event.resourceType,
          event.resourceId, event.outcome, event.requestId, event.traceId, event.ip, JSON.stringify(event.details), event.prevHash, event.hash
        ])
        return event
      } catch (err) {
        if (err instanceof RobbieError) throw err
        throw new RobbieError(genericError(opts.service, 'UNAVAILABLE', '').code.replace(/_UNAVAILABLE$/, '_AUDIT_UNAVAILABLE'),
          'The audit record could not be written, so nothing was done', 503, undefined, { 'retry-after': '5' })
      }
    },
    /** Records in a transaction of its own (for refusals, which change nothing else). */
    async recordAlone (entry: AuditEntry, request?: FastifyRequest): Promise<AuditEvent> {
      return await withTransaction(opts.pool, async (client) => await audit.record(client, entry, request))
    },
    /** Identifiers of keys and tokens go into `details` only as an HMAC with the audit key (SPEC §2.4). */
    hmac (value: string): string {
      if (!hmacKey) throw new Error('ROBBIE_AUDIT_HMAC_KEY_FILE is not configured')
      return createHmac('sha256', hmacKey).update(value).digest('hex').slice(0, 32)
    }
  }
  return audit
}
export type Audit = ReturnType<typeof createAudit>

const AuditEventSchema = Type.Object({
  seq: Type.Integer(),
  id: Type.String(),
  at: Type.String(),
  service: Type.String(),
  actorType: Type.String(),
  actorId: Type.Union([Type.String(), Type.Null()]),
  onBehalfOf: Type.Union([Type.String(), Type.Null()]),
  action: Type.String(),
  resourceType: Type.Union([Type.String(), Type.Null()]),
  resourceId: Type.Union([Type.String(), Type.Null()]),
  outcome: Type.String(),
  requestId: Type.Union([Type.String(), Type.Null()]),
  traceId: Type.Union([Type.String(), Type.Null()]),
  ip: Type.Union([Type.String(), Type.Null()]),
  details: Type.Record(Type.String(), Type.Unknown()),
  prevHash: Type.String(),
  hash: Type.String()
}, { additionalProperties: false })
export { AuditEventSchema }

export const AuditQuery = Type.Object({
  from: Type.Optional(IsoDateTime),
  to: Type.Optional(IsoDateTime),
  actorId: Type.Optional(Str(200, 1)),
  action: Type.Optional(Str(100, 1)),
  resourceType: Type.Optional(Str(100, 1)),
  resourceId: Type.Optional(Str(300, 1)),
  outcome: Type.Optional(Type.Union([Type.Literal('success'), Type.Literal('denied'), Type.Literal('failed')])),
  traceId: Type.Optional(Str(128, 1)),
  /** with fromSeq, rows in ascending seq order (chain verification); otherwise newest first */
  fromSeq: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER })),
  limit: Type.Integer({ minimum: 1, maximum: 1000, default: 50 }),
  cursor: Type.Optional(Type.String({ pattern: '^[0-9]{1,19}$' }))
}, { additionalProperties: false })

export interface AuditPageQuery {
  from?: string,
  to?: string,
  actorId?: string,
  action?: string,
  resourceType?: string,
  resourceId?: string
  outcome?: string,
  traceId?: string,
  fromSeq?: number,
  limit: number,
  cursor?: string
}

/** A page of a chain: newest first below `cursor` (a seq), or ascending from `fromSeq` (verification). */
export async function readAuditPage (db: Queryable, q: AuditPageQuery): Promise<{ items: AuditEvent[], nextCursor: string | null }> {
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
  const { rows } = await db.query<Row>(
    `SELECT ${COLUMNS} FROM audit_events ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq ${ascending ? 'ASC' : 'DESC'} LIMIT $${params.length}`, params)
  const items = rows.slice(0, q.limit).map(toAuditEvent)
  return { items, nextCursor: rows.length > q.limit ? String(items[items.length - 1]!.seq) : null }
}

/** `GET /internal/<service>/audit`: auth's viewer and verifier read every chain through it. */
export function auditRoutes (app: FastifyInstance, service: string, pool: Pool): void {
  app.get(`/internal/${service}/audit`, {
    config: { allowedCallers: ['auth'] },
    schema: { querystring: AuditQuery, response: { 200: Page(AuditEventSchema) } }
  }, async (request) => await readAuditPage(pool, request.query as AuditPageQuery))
}
