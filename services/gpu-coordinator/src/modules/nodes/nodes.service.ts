// The node registry (SPEC §7.1): add (after the node answers /api/version and /api/tags), test, change, drain and
// remove, heartbeats, probe/pull/warm now, and the ROBBIE_GPU_NODES entries at start. Every change is a row, its
// audit record and its event in one transaction; the mesh's in-memory view follows after the commit.
import type { FastifyBaseLogger, FastifyRequest } from 'fastify'
import type { NewEvent, Outbox } from '@robbie/bus'
import { uuidv7, type Identity } from '@robbie/contracts'
import { withTransaction, type Pool } from '@robbie/db'
import { genericError, type Audit } from '@robbie/service-kit'
import type { Config } from '../../config.js'
import type { MeshImpl } from '../mesh/mesh.js'
import type { HealthMonitor } from '../mesh/health.js'
import type { ModelState, NodeRecord, NodeState } from '../mesh/node-state.js'
import type { NodeClient, OllamaModel } from './node-client.js'
import type { NodeChanges, NodesRepository } from './nodes.repository.js'
import type { NodeKeys } from './node-keys.js'
import { NodeUnreachable, UrlNotAllowed } from './nodes.errors.js'
import { nodeRegistered, nodeRemoved } from './nodes.events.js'
import type { ConfigNode, CreateNodeBody, HeartbeatBody, NodeView, PatchNodeBody } from './nodes.schemas.js'
import { baseUrlOf, checkNodeUrl } from './url-rules.js'
import { viewOf } from './nodes.views.js'

const MB = 1024 * 1024
const notFound = () => genericError('gpu-coordinator', 'NOT_FOUND', 'No such node')
const actorOf = (request?: FastifyRequest): NewEvent['actor'] =>
  request?.identity ? { type: request.identity.kind === 'user' ? 'user' : 'service', id: request.identity.id } : { type: 'system', id: 'gpu-coordinator' }
const modelsOf = (list: OllamaModel[]): ModelState[] => list.filter((m) => typeof m.name === 'string')
  .map((m) => ({ name: m.name, sizeMb: Math.round((m.size ?? 0) / MB), loaded: false, expiresAt: null, tokPerSec: null }))

type NodesConfig = Pick<Config, 'ROBBIE_GPU_ALLOW_LOOPBACK' | 'ROBBIE_GPU_NODE_TEST_TIMEOUT_MS' | 'ROBBIE_GPU_DRAIN_TIMEOUT_MS' | 'ROBBIE_GPU_FIRST_TOKEN_COLD_MS'>

export function createNodesService (deps: {
  pool: Pool
  repo: NodesRepository
  mesh: MeshImpl
  monitor: HealthMonitor
  client: NodeClient
  outbox: Pick<Outbox, 'add'>
  audit: Audit
  nodeKeys: NodeKeys
  config: NodesConfig
  log: FastifyBaseLogger
}) {
  const { repo, mesh, monitor, client, config } = deps
  const background = new Set<Promise<unknown>>()
  const closing = new AbortController()

  async function checkUrl (raw: string): Promise<string> {
    try {
      return baseUrlOf(await checkNodeUrl(raw, { allowLoopback: config.ROBBIE_GPU_ALLOW_LOOPBACK }))
    } catch (err) {
      throw new UrlNotAllowed((err as Error).message)
    }
  }

  /** SPEC §7.1: /api/version and /api/tags must both answer within the test time (5 s). */
  async function reach (baseUrl: string) {
    const started = performance.now()
    const left = () => Math.max(1, config.ROBBIE_GPU_NODE_TEST_TIMEOUT_MS - Math.round(performance.now() - started))
    const version = await client.version(baseUrl, left())
    if (!version.ok) throw new NodeUnreachable(`/api/version: ${version.reason}`)
    const tags = await client.tags(baseUrl, left())
    if (!tags.ok) throw new NodeUnreachable(`/api/tags: ${tags.reason}`)
    if (typeof version.body.version !== 'string' || !Array.isArray(tags.body.models)) throw new NodeUnreachable('the replies are not Ollama\'s')
    return { version: version.body.version.slice(0, 100), models: tags.body.models, latencyMs: Math.round(performance.now() - started) }
  }

  /** This replica's state of a node, loading it from the registry when another replica added it moments ago. */
  async function nodeOf (id: string): Promise<NodeState> {
    const known = mesh.get(id)
    if (known) return known
    const row = await repo.get(id)
    if (!row) throw notFound()
    const { status, ...record } = row
    const node = mesh.put(record)
    node.status = status
    return node
  }

  async function change (node: NodeState, changes: NodeChanges, request: FastifyRequest, action: string) {
    const updated = await withTransaction(deps.pool, async (db) => {
      const row = await repo.update(node.id, changes, db)
      if (!row) throw notFound()
      await deps.audit.record(db, { action, outcome: 'success', resourceType: 'node', resourceId: node.id, details: { name: node.name, ...changes } }, request)
      return row
    })
    const { status: _stored, ...record } = updated
    mesh.put(record)
    await monitor.refresh(node)
    return node
  }

  /** Starts a long node call in the background (pull, warm); a round of polls follows it. */
  function inBackground (node: NodeState, what: string, run: () => Promise<{ ok: boolean, reason?: string }>) {
    const task = run().then((r) => {
      if (!r.ok) deps.log.warn({ node: node.name, what, reason: r.reason }, 'node task failed')
      return mesh.get(node.id) ? monitor.pollNow(node) : undefined
    }).catch((err: unknown) => { deps.log.warn({ err, node: node.name, what }, 'node task failed') })
      .finally(() => { background.delete(task) })
    background.add(task)
  }

  return {
    view: (node: NodeState): NodeView => viewOf(node, mesh.status(node)),

    async test (rawUrl: string) {
      const reply = await reach(await checkUrl(rawUrl))
      return { ok: true as const, version: reply.version, models: modelsOf(reply.models).map((m) => ({ name: m.name, sizeMb: m.sizeMb })), latencyMs: reply.latencyMs }
    },

    async create (body: CreateNodeBody, request: FastifyRequest) {
      const baseUrl = await checkUrl(body.baseUrl)
      if (await repo.nameTaken(body.name)) throw genericError('gpu-coordinator', 'CONFLICT', `A node named '${body.name}' exists`)
      const reached = await reach(baseUrl)
      const agent = body.agentKey === true ? await deps.nodeKeys.mint(body.name, request.id) : undefined
      const record: NodeRecord = {
        id: uuidv7(),
        name: body.name,
        baseUrl,
        labels: body.labels ?? {},
        gpu: body.gpu ?? null,
        maxInflight: body.maxInflight ?? 2,
        enabled: true,
        draining: false,
        busy: false,
        memoryUsedMb: null,
        heartbeatAt: null,
        source: 'api',
        agentKey: agent !== undefined,
        registeredAt: new Date().toISOString()
      }
      try {
        await withTransaction(deps.pool, async (db) => {
          await repo.insert(record, db)
          await deps.audit.record(db, {
            action: 'gpu-coordinator.node.register',
            outcome: 'success',
            resourceType: 'node',
            resourceId: record.id,
            details: { name: record.name, baseUrl, agentKey: agent !== undefined, ...(agent ? { keyRef: deps.audit.hmac(`key:${agent.keyId}`) } : {}) }
          }, request)
          await deps.outbox.add(db, nodeRegistered({ nodeId: record.id, name: record.name }, actorOf(request)))
        })
      } catch (err) {
        if (agent) await deps.nodeKeys.revoke(record.name, request.id).catch(() => {})
        throw err
      }
      const node = mesh.put(record, { models: modelsOf(reached.models), polledAt: Date.now() })
      void monitor.pollNow(node)
      return { ...viewOf(node, mesh.status(node)), ...(agent ? { agent } : {}) }
    },

    async list (limit: number, cursor?: string) {
      let after: string | undefined
      if (cursor !== undefined) {
        after = Buffer.from(cursor, 'base64url').toString('utf8')
        if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(after)) throw genericError('gpu-coordinator', 'VALIDATION_FAILED', 'The cursor is not valid', { details: [{ path: 'querystring/cursor', rule: 'cursor' }] })
      }
      const ids = await repo.page(limit + 1, after)
      const nodes = await Promise.all(ids.slice(0, limit).map(nodeOf))
      const last = nodes.at(-1)
      return {
        items: nodes.map((n) => viewOf(n, mesh.status(n))),
        nextCursor: ids.length > limit && last ? Buffer.from(last.name, 'utf8').toString('base64url') : null
      }
    },

    get: nodeOf,

    async patch (id: string, body: PatchNodeBody, request: FastifyRequest) {
      const node = await change(await nodeOf(id), body, request, 'gpu-coordinator.node.update')
      // a disabled node is not polled: look at it now instead of at the next round
      if (body.enabled === true) void monitor.pollNow(node)
      return node
    },

    /** Drains (no new calls; those in flight here get up to the drain time), revokes the agent key, removes. */
    async remove (id: string, request: FastifyRequest): Promise<void> {
      let node = await nodeOf(id)
      if (!node.draining) node = await change(node, { draining: true }, request, 'gpu-coordinator.node.drain')
      const idle = await mesh.idle(node.id, config.ROBBIE_GPU_DRAIN_TIMEOUT_MS)
      if (node.agentKey) await deps.nodeKeys.revoke(node.name, request.id)
      await withTransaction(deps.pool, async (db) => {
        if (!await repo.remove(node.id, db)) throw notFound()
        await deps.audit.record(db, { action: 'gpu-coordinator.node.remove', outcome: 'success', resourceType: 'node', resourceId: node.id, details: { name: node.name, drained: idle, agentKeyRevoked: node.agentKey } }, request)
        await deps.outbox.add(db, nodeRemoved({ nodeId: node.id }, actorOf(request)))
      })
      mesh.remove(node.id)
    },

    /** SPEC §7.1: only the node's own agent (identity `node:<name>`) may report for it. */
    async heartbeat (id: string, identity: Identity, body: HeartbeatBody): Promise<void> {
      const node = await nodeOf(id)
      if (identity.kind !== 'node' || identity.id !== `node:${node.name}`) throw genericError('gpu-coordinator', 'FORBIDDEN', 'This key belongs to another node')
      const at = new Date()
      await repo.heartbeat(node.id, { busy: body.busy ?? false, memoryUsedMb: body.memoryUsedMb ?? null, at })
      node.busy = body.busy ?? false
      if (body.memoryUsedMb !== undefined) node.memoryUsedMb = body.memoryUsedMb
      node.heartbeatAt = at.toISOString()
      await monitor.refresh(node)
      mesh.changed()
    },

    async probe (id: string): Promise<NodeState> {
      const node = await nodeOf(id)
      await monitor.pollNow(node)
      return node
    },

    async pull (id: string, model: string) {
      const node = await nodeOf(id)
      // a pull downloads gigabytes: give it an hour, then poll /api/tags
      inBackground(node, 'pull', async () => await client.pull(node.baseUrl, model, 3_600_000, closing.signal))
      return { nodeId: node.id, model, status: 'started' as const }
    },

    async warm (id: string, model: string) {
      const node = await nodeOf(id)
      inBackground(node, 'warm', async () => await client.warm(node.baseUrl, model, config.ROBBIE_GPU_FIRST_TOKEN_COLD_MS, closing.signal))
      return { nodeId: node.id, model, status: 'started' as const }
    },

    /** ROBBIE_GPU_NODES at start: registered or updated by name; nodes added through the API are left alone. */
    async registerConfigNodes (entries: ConfigNode[]): Promise<void> {
      for (const e of entries) {
        await withTransaction(deps.pool, async (db) => {
          const record: NodeRecord = {
            id: uuidv7(),
            name: e.name,
            baseUrl: e.baseUrl,
            labels: e.labels ?? {},
            gpu: e.gpu ?? null,
            maxInflight: e.maxInflight ?? 2,
            enabled: true,
            draining: false,
            busy: false,
            memoryUsedMb: null,
            heartbeatAt: null,
            source: 'config',
            agentKey: false,
            registeredAt: new Date().toISOString()
          }
          const changed = await repo.upsertFromConfig(record, db)
          if (!changed) return
          const { id, inserted } = changed
          const system = { type: 'system' as const, id: 'gpu-coordinator' }
          await deps.audit.record(db, { action: inserted ? 'gpu-coordinator.node.register' : 'gpu-coordinator.node.update', outcome: 'success', resourceType: 'node', resourceId: id, actor: system, details: { name: e.name, baseUrl: e.baseUrl, source: 'config' } })
          if (inserted) await deps.outbox.add(db, nodeRegistered({ nodeId: id, name: e.name }, system))
        })
      }
    },

    async close (): Promise<void> {
      closing.abort()
      await Promise.allSettled([...background])
    }
  }
}
export type NodesService = ReturnType<typeof createNodesService>
