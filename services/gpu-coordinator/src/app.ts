// The composition root of gpu-coordinator: the kit, then the mesh (in-memory view, routing, admission queue), the
// health monitor that keeps it current, the node registry and mesh status routes, and the model endpoints that
// proxy calls to the nodes through the mesh.
import { join } from 'node:path'
import { createService, type ServiceDeps } from '@robbie/service-kit'
import type { Config } from './config.js'
import { createMesh, type MeshImpl } from './modules/mesh/mesh.js'
import { createMeshMetrics } from './modules/mesh/mesh.metrics.js'
import { createHealthMonitor } from './modules/mesh/health.js'
import { createHistory } from './modules/mesh/history.js'
import { meshRoutes } from './modules/mesh/mesh.routes.js'
import { parseConfigNodes } from './modules/nodes/config-nodes.js'
import { createNodeClient } from './modules/nodes/node-client.js'
import { createNodeKeys } from './modules/nodes/node-keys.js'
import { createNodesRepository } from './modules/nodes/nodes.repository.js'
import { createNodesService } from './modules/nodes/nodes.service.js'
import { nodesRoutes } from './modules/nodes/nodes.routes.js'
import type { Resolver } from './modules/nodes/url-rules.js'
import type { NodeState } from './modules/mesh/node-state.js'
import { registerDecisions, registerModelEndpoints } from './modules/proxy/index.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** this replica's mesh: the model endpoints lease nodes from it */
    mesh: MeshImpl
  }
}

export const serviceDir = join(import.meta.dirname, '..')

export interface AppDeps extends ServiceDeps {
  /** how node hostnames resolve (default: the system's resolver) */
  resolve?: Resolver
}

export async function createApp (config: Config, deps: AppDeps = {}) {
  // a bad ROBBIE_GPU_NODES entry stops the coordinator here, naming it (ConfigError → exit 78 in server.ts)
  const configNodes = await parseConfigNodes(config.ROBBIE_GPU_NODES, { allowLoopback: config.ROBBIE_GPU_ALLOW_LOOPBACK, ...(deps.resolve ? { resolve: deps.resolve } : {}) })
  const state: { mesh?: MeshImpl, nodeChanged?: (node: NodeState) => void } = {}
  const app = await createService({
    name: 'gpu-coordinator',
    config,
    serviceDir,
    deps,
    readiness: {
      // SPEC §11.1: reports the nodes, never fails on zero
      nodes: async () => {
        const all = state.mesh?.list() ?? []
        const healthy = all.filter((n) => state.mesh?.status(n) === 'healthy').length
        return { ok: true, detail: `${all.length} nodes, ${healthy} healthy` }
      }
    }
  })

  const metrics = createMeshMetrics(app.metrics.registry)
  const mesh = createMesh({ config, onReject: metrics.rejected, onNodeChanged: (node) => state.nodeChanged?.(node) })
  state.mesh = mesh
  app.decorate('mesh', mesh)
  metrics.observe(mesh)
  const client = createNodeClient({ allowLoopback: config.ROBBIE_GPU_ALLOW_LOOPBACK, connectTimeoutMs: config.ROBBIE_GPU_CONNECT_TIMEOUT_MS })
  const repo = createNodesRepository(app.db)
  const monitor = createHealthMonitor({ mesh, client, repo, pool: app.db, outbox: app.outbox, config, log: app.log })
  state.nodeChanged = (node) => { void monitor.refresh(node) }
  const history = createHistory({ pool: app.db, mesh, instance: config.ROBBIE_INSTANCE ?? String(process.pid), intervalMs: config.ROBBIE_GPU_SAMPLE_INTERVAL_MS })
  const nodes = createNodesService({
    pool: app.db,
    repo,
    mesh,
    monitor,
    client,
    outbox: app.outbox,
    audit: app.audit,
    nodeKeys: createNodeKeys({ authUrl: config.ROBBIE_AUTH_URL, serviceKeyFile: config.ROBBIE_SERVICE_KEY_FILE }),
    config,
    log: app.log
  })

  await app.register(nodesRoutes, { prefix: '/api/gpu-coordinator', service: nodes })
  await app.register(meshRoutes, { prefix: '/api/gpu-coordinator', mesh, history })
  await registerModelEndpoints(app, { mesh, config })
  await registerDecisions(app)
  app.jobs.schedule({ name: 'mesh-samples-prune', everyMs: 3_600_000, run: async () => await history.prune() })

  app.addHook('onReady', async () => {
    await nodes.registerConfigNodes(configNodes)
    await monitor.start()
    history.start((err) => { app.log.warn({ err }, 'mesh sample not stored') })
  })
  // before the pool closes (the kit's onClose): stop polling and sampling, refuse whoever still waits
  app.addHook('preClose', async () => {
    mesh.close()
    await history.stop()
    await monitor.stop()
    await nodes.close()
  })
  app.addHook('onClose', async () => { client.close() })
  return app
}
