// The node registry's routes (SPEC §7.1), mounted under /api/gpu-coordinator. Owner and admin hold
// gpu-coordinator:admin; a node agent's key holds only gpu-coordinator:heartbeat, for its own node.
import type { FastifyInstance } from 'fastify'
import type { Static } from 'typebox'
import { ErrorBody } from '@robbie/contracts'
import type { NodesService } from './nodes.service.js'
import {
  CreatedNode, CreateNodeBody, HeartbeatBody, ModelAccepted, ModelBody, NodeListQuery, NodePage, NodeParams, NodeView, PatchNodeBody, TestNodeBody, TestNodeReply
} from './nodes.schemas.js'

const ADMIN = { scope: 'gpu-coordinator:admin' } as const
const tags = ['nodes']

export async function nodesRoutes (app: FastifyInstance, opts: { service: NodesService }): Promise<void> {
  const { service } = opts
  const idOf = (params: unknown) => (params as Static<typeof NodeParams>).id

  app.post('/nodes', {
    // the reply may carry the node agent's key, shown once: a retried Idempotency-Key gets it back sealed
    config: { ...ADMIN, idempotent: 'sealed', limit: 'sensitive' },
    schema: { tags, summary: 'Register a node after it answers /api/version and /api/tags (optionally minting its agent key)', body: CreateNodeBody, response: { 201: CreatedNode, 422: ErrorBody } }
  }, async (request, reply) => {
    const created = await service.create(request.body as CreateNodeBody, request)
    if (created.agent) void reply.header('cache-control', 'no-store')
    return await reply.code(201).send(created)
  })

  app.post('/nodes/test', {
    config: ADMIN,
    schema: { tags, summary: 'Check a node URL the way registration does; stores nothing', body: TestNodeBody, response: { 200: TestNodeReply, 422: ErrorBody } }
  }, async (request) => await service.test((request.body as Static<typeof TestNodeBody>).baseUrl))

  app.get('/nodes', {
    config: ADMIN,
    schema: { tags, summary: 'Registered nodes with their live status', querystring: NodeListQuery, response: { 200: NodePage } }
  }, async (request) => {
    const q = request.query as Static<typeof NodeListQuery>
    return await service.list(q.limit, q.cursor)
  })

  app.get('/nodes/:id', {
    config: ADMIN,
    schema: { tags, summary: 'One node', params: NodeParams, response: { 200: NodeView } }
  }, async (request) => service.view(await service.get(idOf(request.params))))

  app.patch('/nodes/:id', {
    config: ADMIN,
    schema: { tags, summary: 'Change labels, max in flight, enabled or draining', params: NodeParams, body: PatchNodeBody, response: { 200: NodeView } }
  }, async (request) => service.view(await service.patch(idOf(request.params), request.body as PatchNodeBody, request)))

  app.delete('/nodes/:id', {
    config: ADMIN,
    schema: { tags, summary: 'Drain (at most 60 s), revoke the agent key, remove', params: NodeParams }
  }, async (request, reply) => {
    await service.remove(idOf(request.params), request)
    return await reply.code(204).send()
  })

  app.post('/nodes/:id/heartbeat', {
    config: { scope: 'gpu-coordinator:heartbeat' },
    schema: { tags, summary: "A node agent's report (its own node only)", params: NodeParams, body: HeartbeatBody }
  }, async (request, reply) => {
    await service.heartbeat(idOf(request.params), request.identity!, request.body as HeartbeatBody)
    return await reply.code(204).send()
  })

  app.post('/nodes/:id/probe', {
    config: ADMIN,
    schema: { tags, summary: 'Poll and probe the node now', params: NodeParams, response: { 200: NodeView } }
  }, async (request) => service.view(await service.probe(idOf(request.params))))

  app.post('/nodes/:id/models/pull', {
    config: ADMIN,
    schema: { tags, summary: 'Pull a model on the node (runs in the background)', params: NodeParams, body: ModelBody, response: { 202: ModelAccepted } }
  }, async (request, reply) => await reply.code(202).send(await service.pull(idOf(request.params), (request.body as Static<typeof ModelBody>).model)))

  app.post('/nodes/:id/models/warm', {
    config: ADMIN,
    schema: { tags, summary: 'Load a model on the node (runs in the background)', params: NodeParams, body: ModelBody, response: { 202: ModelAccepted } }
  }, async (request, reply) => await reply.code(202).send(await service.warm(idOf(request.params), (request.body as Static<typeof ModelBody>).model)))
}
