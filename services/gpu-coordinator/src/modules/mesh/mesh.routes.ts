// GET /mesh and GET /mesh/history (SPEC §7.4), under /api/gpu-coordinator. gpu-coordinator:read is every
// role's; members see totals and which models are available, owner and admin the nodes and the queue too.
import type { FastifyInstance } from 'fastify'
import type { Static } from 'typebox'
import type { History } from './history.js'
import type { MeshImpl } from './mesh.js'
import { HistoryQuery, HistoryReply, MeshReply } from './mesh.schemas.js'

const tags = ['mesh']

export async function meshRoutes (app: FastifyInstance, opts: { mesh: MeshImpl, history: History }): Promise<void> {
  app.get('/mesh', {
    config: { scope: 'gpu-coordinator:read' },
    schema: { tags, summary: 'Nodes, queue, models and totals (members: totals and model availability)', response: { 200: MeshReply } }
  }, async (request) => {
    const snapshot = opts.mesh.snapshot()
    const role = request.identity?.role
    const privileged = request.identity?.kind !== 'user' || role === 'owner' || role === 'admin'
    const models = snapshot.models.map((m) => ({
      name: m.name,
      ...(privileged ? { nodes: m.nodes, loadedOn: m.loadedOn } : {}),
      available: m.nodes.length > 0,
      loaded: m.loadedOn.length > 0
    }))
    return privileged ? { nodes: snapshot.nodes, queue: snapshot.queue, models, totals: snapshot.totals } : { models, totals: snapshot.totals }
  })

  app.get('/mesh/history', {
    config: { scope: 'gpu-coordinator:read', roles: ['owner', 'admin'] },
    schema: { tags, summary: 'In flight per node and queue depth per sample period (owner, admin)', querystring: HistoryQuery, response: { 200: HistoryReply } }
  }, async (request) => ({ items: await opts.history.list((request.query as Static<typeof HistoryQuery>).minutes), nextCursor: null }))
}
