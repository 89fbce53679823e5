// Health of every node (SPEC §7.1), polled by each replica for its own view: /api/ps every PS interval, /api/tags
// every TAGS interval, and every PROBE interval a real one-token generation on a model already loaded (nothing
// loaded → only /api/version). A half-open breaker gets its trial probe at the next round. Each round also
// reconciles the registry from Postgres (nodes added or changed through another replica), then persists the
// health columns; a status change is written with its event in one transaction.
import type { FastifyBaseLogger } from 'fastify'
import type { Outbox } from '@robbie/bus'
import { withTransaction, type Pool } from '@robbie/db'
import type { Config } from '../../config.js'
import type { NodeClient, OllamaModel } from '../nodes/node-client.js'
import type { NodesRepository } from '../nodes/nodes.repository.js'
import { nodeStatusChanged } from '../nodes/nodes.events.js'
import type { MeshImpl } from './mesh.js'
import { modelKey, type ModelState, type NodeState } from './node-state.js'

const MB = 1024 * 1024
const YEAR_MS = 365 * 24 * 3600_000

type HealthConfig = Pick<Config, 'ROBBIE_GPU_PS_INTERVAL_MS' | 'ROBBIE_GPU_TAGS_INTERVAL_MS' | 'ROBBIE_GPU_PROBE_INTERVAL_MS' | 'ROBBIE_GPU_POLL_TIMEOUT_MS' | 'ROBBIE_GPU_PROBE_TIMEOUT_MS'>

export function createHealthMonitor (deps: {
  mesh: MeshImpl
  client: NodeClient
  repo: Pick<NodesRepository, 'listAll' | 'loadModels' | 'saveHealth' | 'saveModels'>
  pool: Pool
  outbox: Pick<Outbox, 'add'>
  config: HealthConfig
  log: FastifyBaseLogger
  now?: () => number
}) {
  const { mesh, client, repo, config } = deps
  const now = deps.now ?? Date.now
  const log = deps.log.child({ module: 'gpu-health' })
  const polls = new Map<string, Promise<void>>()
  const persisting = new Map<string, Promise<void>>()
  let timer: NodeJS.Timeout | undefined
  let stopped = false

  /** Tags replace the model list, keeping what we learned per model (loaded, speed). */
  function applyTags (node: NodeState, models: OllamaModel[]) {
    const next = new Map<string, ModelState>()
    for (const m of models) {
      if (typeof m.name !== 'string') continue
      const old = node.models.get(modelKey(m.name))
      next.set(modelKey(m.name), {
        name: m.name,
        sizeMb: Math.round((m.size ?? 0) / MB),
        loaded: old?.loaded ?? false,
        expiresAt: old?.expiresAt ?? null,
        tokPerSec: old?.tokPerSec ?? null,
        ...(m.digest ? { digest: m.digest } : {}),
        ...(m.modified_at ? { modifiedAt: m.modified_at } : {}),
        ...(m.details !== undefined ? { details: m.details } : {})
      })
    }
    node.models = next
  }

  /** /api/ps says what is loaded; returns whether that changed. */
  function applyPs (node: NodeState, loaded: OllamaModel[]): boolean {
    const before = JSON.stringify([...node.models.values()].map((m) => [m.name, m.loaded, m.expiresAt]))
    const byKey = new Map(loaded.filter((m) => typeof m.name === 'string').map((m) => [modelKey(m.name), m]))
    for (const m of node.models.values()) {
      const hit = byKey.get(modelKey(m.name))
      m.loaded = hit !== undefined
      m.expiresAt = hit?.expires_at ?? null
    }
    for (const [key, m] of byKey) {
      if (!node.models.has(key)) node.models.set(key, { name: m.name, sizeMb: Math.round((m.size ?? 0) / MB), loaded: true, expiresAt: m.expires_at ?? null, tokPerSec: null })
    }
    return before !== JSON.stringify([...node.models.values()].map((m) => [m.name, m.loaded, m.expiresAt]))
  }

  function pollFailed (node: NodeState, what: string, r: { fault: boolean, reason: string }) {
    if (r.fault) node.breaker.failure(now(), false)
    log.debug({ node: node.name, what, reason: r.reason }, 'node poll failed')
  }

  /** keep_alive for the probe that leaves the node's own expiry as it was. */
  function keepAliveOf (m: ModelState): string | number | undefined {
    if (m.expiresAt === null) return undefined
    const left = Date.parse(m.expiresAt) - now()
    return left > YEAR_MS ? -1 : `${Math.max(1, Math.ceil(left / 1000))}s`
  }

  async function probe (node: NodeState): Promise<void> {
    const trial = node.breaker.takeTrial(now())
    const model = [...node.models.values()].filter((m) => m.loaded).sort((a, b) => a.sizeMb - b.sizeMb)[0]
    const r = model
      ? await client.probe(node.baseUrl, model.name, keepAliveOf(model), config.ROBBIE_GPU_PROBE_TIMEOUT_MS)
      : await client.version(node.baseUrl, config.ROBBIE_GPU_POLL_TIMEOUT_MS)
    const t = now()
    node.lastProbeAt = t
    node.probeMs = r.ms
    node.probeOk = r.ok
    if (r.ok) {
      node.lastPollOkAt = t
      if (model) node.errorRate *= 0.8
      node.breaker.success(t, trial)
    } else if (r.fault) {
      if (model) node.errorRate = 0.8 * node.errorRate + 0.2
      node.breaker.failure(t, trial)
      log.debug({ node: node.name, reason: r.reason }, 'node probe failed')
    } else if (trial) node.breaker.releaseTrial()
  }

  async function pollNode (node: NodeState, force: { tags?: boolean, probe?: boolean } = {}): Promise<void> {
    if (node.enabled) {
      let modelsChanged = false
      if (force.tags || node.lastTagsAt === null || now() - node.lastTagsAt >= config.ROBBIE_GPU_TAGS_INTERVAL_MS) {
        const tags = await client.tags(node.baseUrl, config.ROBBIE_GPU_POLL_TIMEOUT_MS)
        if (tags.ok) {
          applyTags(node, tags.body.models ?? [])
          node.lastTagsAt = node.lastPollOkAt = now()
          modelsChanged = true
        } else pollFailed(node, 'tags', tags)
      }
      const ps = await client.ps(node.baseUrl, config.ROBBIE_GPU_POLL_TIMEOUT_MS)
      if (ps.ok) {
        if (applyPs(node, ps.body.models ?? [])) modelsChanged = true
        node.lastPollOkAt = now()
      } else pollFailed(node, 'ps', ps)
      const t = now()
      const trialFree = node.breaker.state(t) === 'half-open' && node.breaker.admits(t)
      if (!stopped && (force.probe || trialFree || node.lastProbeAt === null || t - node.lastProbeAt >= config.ROBBIE_GPU_PROBE_INTERVAL_MS)) await probe(node)
      if (modelsChanged) await repo.saveModels(node.id, [...node.models.values()]).catch((err: unknown) => { log.warn({ err, node: node.name }, 'node models not saved') })
    }
    await persist(node)
    mesh.changed()
  }

  /** Health columns, and the status event when the stored status changes (serialised per node). */
  async function persist (node: NodeState): Promise<void> {
    const previous = persisting.get(node.id) ?? Promise.resolve()
    const next = previous.then(async () => {
      const t = now()
      const status = mesh.status(node)
      const openedAt = node.breaker.openedAt()
      await withTransaction(deps.pool, async (db) => {
        const before = await repo.saveHealth(node.id, {
          status,
          breaker: node.breaker.state(t),
          breakerOpenedAt: openedAt === null ? null : new Date(openedAt),
          lastSeenAt: node.lastPollOkAt === null ? null : new Date(node.lastPollOkAt),
          lastProbeAt: node.lastProbeAt === null ? null : new Date(node.lastProbeAt)
        }, db)
        if (before !== undefined && before !== status) {
          await deps.outbox.add(db, nodeStatusChanged({ nodeId: node.id, name: node.name, from: before, to: status }))
          log.info({ node: node.name, from: before, to: status }, 'node status changed')
        }
      })
      node.status = status
    }).catch((err: unknown) => { log.warn({ err, node: node.name }, 'node health not saved') })
    persisting.set(node.id, next)
    await next
    if (persisting.get(node.id) === next) persisting.delete(node.id)
  }

  /** Registry rows → mesh: new nodes appear, removed ones go, changed fields apply (this replica's health stays). */
  async function reconcile (): Promise<void> {
    const records = await repo.listAll()
    const ids = new Set(records.map((r) => r.id))
    for (const n of mesh.list()) if (!ids.has(n.id)) mesh.remove(n.id)
    const fresh = records.filter((r) => !mesh.get(r.id))
    const models = fresh.length > 0 ? await repo.loadModels() : new Map<string, ModelState[]>()
    for (const { status, ...record } of records) {
      const isNew = !mesh.get(record.id)
      const node = mesh.put(record, isNew ? { models: models.get(record.id) ?? [] } : {})
      if (isNew) node.status = status
    }
  }

  function track (node: NodeState, force?: { tags?: boolean, probe?: boolean }): Promise<void> {
    const running = polls.get(node.id)
    const next = (running ?? Promise.resolve()).then(async () => { await pollNode(node, force) })
      .catch((err: unknown) => { log.warn({ err, node: node.name }, 'node poll round failed') })
    polls.set(node.id, next)
    void next.finally(() => { if (polls.get(node.id) === next) polls.delete(node.id) })
    return next
  }

  async function tick (): Promise<void> {
    if (stopped) return
    await reconcile().catch((err: unknown) => { log.warn({ err }, 'node registry not reconciled') })
    mesh.pruneAffinity()
    for (const node of mesh.list()) if (!polls.has(node.id)) void track(node)
  }

  return {
    async start (): Promise<void> {
      await reconcile()
      timer = setInterval(() => { void tick() }, config.ROBBIE_GPU_PS_INTERVAL_MS)
      timer.unref()
      void tick()
    },
    async stop (): Promise<void> {
      stopped = true
      clearInterval(timer)
      await Promise.allSettled([...polls.values(), ...persisting.values()])
    },
    /** A full round for one node now (tags, ps and the probe), after any round already running. */
    pollNow: async (node: NodeState) => { await track(node, { tags: true, probe: true }) },
    /** Stores the node's health now when its status moved (a lease opened its breaker, an admin change). */
    async refresh (node: NodeState): Promise<void> {
      if (mesh.status(node) !== node.status) await persist(node)
    },
    persist
  }
}
export type HealthMonitor = ReturnType<typeof createHealthMonitor>
