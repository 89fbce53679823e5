// GET /api/gpu-coordinator/decisions (SPEC §7.4): the routing decision of each model call, newest first, for
// owner and admins (chat keeps a message's route_request_id, so an admin finds its decision by requestId).
import type { FastifyInstance } from 'fastify'
import { Type, type Static } from 'typebox'
import { Id, IsoDateTime, Page, Str } from '@robbie/contracts'
import { genericError } from '@robbie/service-kit'
import type { DecisionsRepository } from './decisions.repository.js'

const Query = Type.Object({
  requestId: Type.Optional(Str(128, 1)),
  nodeId: Type.Optional(Id),
  since: Type.Optional(IsoDateTime),
  limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
  cursor: Type.Optional(Str(200, 1))
}, { additionalProperties: false })

const Components = Type.Object({
  warm: Type.Number(), affinity: Type.Number(), speed: Type.Number(), load: Type.Number(), fit: Type.Number(), errors: Type.Number()
}, { additionalProperties: false })
const Candidate = Type.Object({
  node: Type.String(),
  eligible: Type.Boolean(),
  reason: Type.Optional(Type.String()),
  score: Type.Number(),
  components: Components
}, { additionalProperties: false })
const DecisionView = Type.Object({
  id: Type.String(),
  requestId: Type.String(),
  at: Type.String(),
  model: Type.String(),
  class: Type.String(),
  identity: Type.String(),
  candidates: Type.Array(Candidate),
  chosen: Type.Union([Type.String(), Type.Null()]),
  nodeId: Type.Union([Type.String(), Type.Null()]),
  queueMs: Type.Integer(),
  failovers: Type.Integer(),
  outcome: Type.String(),
  ttftMs: Type.Union([Type.Integer(), Type.Null()]),
  tokensOut: Type.Union([Type.Integer(), Type.Null()]),
  durationMs: Type.Integer()
}, { additionalProperties: false })

const encodeCursor = (at: string, id: string) => Buffer.from(JSON.stringify([at, id])).toString('base64url')
function decodeCursor (cursor: string): { at: string, id: string } {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[]
    if (typeof at === 'string' && !Number.isNaN(Date.parse(at)) && typeof id === 'string' && /^[0-9a-f-]{36}$/.test(id)) return { at, id }
  } catch {}
  throw genericError('gpu-coordinator', 'VALIDATION_FAILED', 'The cursor is not valid', { details: [{ path: 'querystring/cursor', rule: 'cursor' }] })
}

export async function decisionsRoutes (fastify: FastifyInstance, opts: { repo: Pick<DecisionsRepository, 'list'> }) {
  const app = fastify
  app.get('/decisions', {
    config: { scope: 'gpu-coordinator:read', roles: ['owner', 'admin'] },
    schema: { querystring: Query, response: { 200: Page(DecisionView) } }
  }, async (request) => {
    const q = request.query as Static<typeof Query>
    const rows = await opts.repo.list({
      limit: q.limit + 1,
      ...(q.requestId ? { requestId: q.requestId } : {}),
      ...(q.nodeId ? { nodeId: q.nodeId } : {}),
      ...(q.since ? { since: q.since } : {}),
      ...(q.cursor ? { after: decodeCursor(q.cursor) } : {})
    })
    const items = rows.slice(0, q.limit)
    const last = items.at(-1)
    return { items, nextCursor: rows.length > q.limit && last ? encodeCursor(last.at, last.id) : null }
  })
}
