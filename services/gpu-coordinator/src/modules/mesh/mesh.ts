// The mesh: this replica's in-memory view of every node, the routing score, the admission queue and the leases
// (SPEC §7.2). `acquire` refuses at once what can never be served (no node, a model on no node), queues the rest,
// and hands out a Lease for the best eligible node; the lease's outcome feeds the speed and error EWMAs, the
// breaker and conversation affinity. Routing never waits for Postgres: the health monitor persists.
import { genericError } from '@robbie/service-kit'
import type { Config } from '../../config.js'
import { createAdmission, type RejectReason } from './admission.js'
import { createBreaker } from './breaker.js'
import { ModelNotFound, NoNodes } from './mesh.errors.js'
import type { CandidateScore, Lease, Mesh, RouteRequest } from './mesh.types.js'
import { computeStatus, hasModel, modelKey, modelOn, type ModelState, type NodeRecord, type NodeState } from './node-state.js'
import { scoreCandidates } from './score.js'
import { catalogueOf, pickDefaultModel, snapshotOf } from './mesh.views.js'

const AFFINITY_MS = 30 * 60_000
const ALPHA = 0.2

export type MeshConfig = Pick<Config, 'ROBBIE_GPU_DEFAULT_MODEL' | 'ROBBIE_GPU_FAST_MODEL' | 'ROBBIE_GPU_OFFLINE_AFTER_MS' | 'ROBBIE_GPU_BREAKER_OPEN_MS' |
'ROBBIE_GPU_WAIT_INTERACTIVE_MS' | 'ROBBIE_GPU_WAIT_NORMAL_MS' | 'ROBBIE_GPU_WAIT_BATCH_MS' | 'ROBBIE_GPU_QUEUE_MAX' | 'ROBBIE_GPU_QUEUE_PER_IDENTITY'>

/** A lease as the mesh hands it out: the seam's Lease plus what the caller needs to pick its timeouts. */
export interface MeshLease extends Lease {
  model: string
  /** the model was loaded on the node when the lease was granted (first-token timeout warm vs cold) */
  warm: boolean
}

export function createMesh (opts: {
  config: MeshConfig
  now?: () => number
  /** a node's routing state changed outside the health loop (a lease moved its breaker or error rate) */
  onNodeChanged?: (node: NodeState) => void
  onReject?: (reason: RejectReason) => void
}) {
  const { config } = opts
  const now = opts.now ?? Date.now
  const nodes = new Map<string, NodeState>()
  const affinity = new Map<string, { nodeId: string, at: number }>()
  const idleWaiters = new Map<string, Set<() => void>>()
  let meanServiceS = 5

  const statusOf = (n: NodeState) => computeStatus(n, { now: now(), offlineAfterMs: config.ROBBIE_GPU_OFFLINE_AFTER_MS })
  const sessionKey = (req: RouteRequest) => (req.session ? `${req.identity.id}\u0000${req.session}` : null)
  const reject = (reason: RejectReason) => { opts.onReject?.(reason) }

  function totalSlots (): number {
    let slots = 0
    for (const n of nodes.values()) {
      const s = statusOf(n)
      if (s === 'healthy' || s === 'degraded') slots += n.maxInflight
    }
    return slots
  }
  /** SPEC §7.2: ⌈queued × mean service s ÷ total slots⌉, 1–60. */
  const retryAfterS = (queued: number) => Math.min(60, Math.max(1, Math.ceil(queued * meanServiceS / Math.max(1, totalSlots()))))

  const admission = createAdmission({
    now,
    limits: { total: config.ROBBIE_GPU_QUEUE_MAX, perIdentity: config.ROBBIE_GPU_QUEUE_PER_IDENTITY },
    waitMs: { interactive: config.ROBBIE_GPU_WAIT_INTERACTIVE_MS, normal: config.ROBBIE_GPU_WAIT_NORMAL_MS, batch: config.ROBBIE_GPU_WAIT_BATCH_MS },
    tryGrant,
    retryAfterS,
    onReject: reject
  })

  function affinityFor (req: RouteRequest, t: number): string | null {
    const key = sessionKey(req)
    const hit = key ? affinity.get(key) : undefined
    return hit && t - hit.at < AFFINITY_MS ? hit.nodeId : null
  }

  function candidatesFor (req: RouteRequest): CandidateScore[] {
    const t = now()
    return scoreCandidates([...nodes.values()], {
      model: req.model,
      ...(req.requireLabels ? { requireLabels: req.requireLabels } : {}),
      ...(req.exclude ? { exclude: req.exclude } : {}),
      affinityNodeId: affinityFor(req, t)
    }, t, statusOf)
  }

  function tryGrant (req: RouteRequest, queueMs: number): MeshLease | null {
    const candidates = candidatesFor(req)
    const best = candidates[0]
    if (!best?.eligible) return null
    const node = [...nodes.values()].find((n) => n.name === best.node)!
    node.inflight++
    const trial = node.breaker.takeTrial(now())
    return lease(node, req, best.score, candidates, queueMs, trial)
  }

  function afterLease (node: NodeState) {
    if (node.inflight === 0) for (const fn of idleWaiters.get(node.id) ?? []) fn()
    opts.onNodeChanged?.(node)
    admission.pump()
  }

  function lease (node: NodeState, req: RouteRequest, score: number, candidates: CandidateScore[], queueMs: number, trial: boolean): MeshLease {
    let done = false
    const model = modelOn(node, req.model)
    const end = () => {
      if (done) return false
      done = true
      node.inflight = Math.max(0, node.inflight - 1)
      return true
    }
    return {
      nodeId: node.id,
      nodeName: node.name,
      baseUrl: node.baseUrl,
      score,
      queueMs,
      candidates,
      model: req.model,
      warm: model?.loaded ?? false,
      succeeded (r) {
        if (!end()) return
        const t = now()
        const m = modelOn(node, req.model)
        const generating = r.durationMs - (r.ttftMs ?? 0)
        const tps = r.tokensPerSecond ?? (r.tokensOut > 1 && generating > 0 ? r.tokensOut / (generating / 1000) : undefined)
        if (m) {
          m.loaded = true // the node loads what it serves; the next /api/ps poll sets the expiry
          if (tps !== undefined && Number.isFinite(tps) && tps > 0) m.tokPerSec = m.tokPerSec === null ? tps : (1 - ALPHA) * m.tokPerSec + ALPHA * tps
        }
        node.errorRate = (1 - ALPHA) * node.errorRate
        node.breaker.success(t, trial)
        meanServiceS = 0.9 * meanServiceS + 0.1 * (r.durationMs / 1000)
        const key = sessionKey(req)
        if (key) affinity.set(key, { nodeId: node.id, at: t })
        afterLease(node)
      },
      failed (r) {
        if (!end()) return
        if (r.nodeFault) {
          node.errorRate = (1 - ALPHA) * node.errorRate + ALPHA
          node.breaker.failure(now(), trial)
        } else if (trial) node.breaker.releaseTrial()
        afterLease(node)
      }
    }
  }

  const mesh = {
    resolveModel (model: string): string {
      if (model !== 'default' && model !== 'fast') return model
      if (model === 'fast' && config.ROBBIE_GPU_FAST_MODEL) return config.ROBBIE_GPU_FAST_MODEL
      // `fast` unconfigured means the default model; an unconfigured default still answers (an owner who adds one
      // Ollama node in the wizard configures nothing else): the model loaded on most serving nodes, else present
      // on most, ties by name.
      if (config.ROBBIE_GPU_DEFAULT_MODEL) return config.ROBBIE_GPU_DEFAULT_MODEL
      return pickDefaultModel(catalogueOf([...nodes.values()], statusOf).models) ?? model
    },
    hasNodes: () => [...nodes.values()].some((n) => n.enabled),

    async acquire (req: RouteRequest): Promise<MeshLease> {
      if (!mesh.hasNodes()) { reject('no-nodes'); throw NoNodes(retryAfterS(0)) }
      const enabled = [...nodes.values()].filter((n) => n.enabled)
      if (!enabled.some((n) => hasModel(n, req.model))) { reject('model-not-found'); throw new ModelNotFound(req.model) }
      // what no waiting can fix: every node with the model is excluded (failover), draining or lacks the labels
      const possible = enabled.filter((n) => hasModel(n, req.model) && !n.draining &&
        !(req.exclude?.includes(n.id) || req.exclude?.includes(n.name)) &&
        Object.entries(req.requireLabels ?? {}).every(([k, v]) => n.labels[k] === v))
      if (possible.length === 0) {
        reject('no-nodes')
        throw NoNodes(retryAfterS(admission.depth().total), `No other node can serve '${req.model}' with the required labels`)
      }
      return await admission.enqueue(req) as MeshLease
    },

    catalogue: () => catalogueOf([...nodes.values()], statusOf),
    snapshot: () => snapshotOf([...nodes.values()], statusOf, admission.depth(), now()),
    queueDepth: () => admission.depth(),
    /** The candidates a request would see now (no slot taken): for tests and the decision view. */
    candidates: candidatesFor,

    get: (id: string) => nodes.get(id),
    list: () => [...nodes.values()],
    status: statusOf,

    /** Adds a node or updates its registry fields, keeping what this replica learned about it. */
    put (record: NodeRecord, seed: { models?: ModelState[], polledAt?: number } = {}): NodeState {
      const existing = nodes.get(record.id)
      if (existing) {
        Object.assign(existing, record)
        if (seed.models) existing.models = new Map(seed.models.map((m) => [modelKey(m.name), m]))
        if (seed.polledAt !== undefined) existing.lastPollOkAt = seed.polledAt
        admission.pump()
        return existing
      }
      const node: NodeState = {
        ...record,
        models: new Map((seed.models ?? []).map((m) => [modelKey(m.name), m])),
        inflight: 0,
        lastPollOkAt: seed.polledAt ?? null,
        lastTagsAt: seed.models && seed.polledAt !== undefined ? seed.polledAt : null,
        lastProbeAt: null,
        probeMs: null,
        probeOk: null,
        errorRate: 0,
        breaker: createBreaker(config.ROBBIE_GPU_BREAKER_OPEN_MS),
        status: 'offline'
      }
      node.status = statusOf(node)
      nodes.set(node.id, node)
      admission.pump()
      return node
    },
    remove (id: string): void {
      nodes.delete(id)
      for (const [k, v] of affinity) if (v.nodeId === id) affinity.delete(k)
    },
    /** Something a waiter may care about changed (a poll, a heartbeat, an admin change): try the queue again. */
    changed: () => { admission.pump() },
    /** Resolves true once the node has nothing in flight on this replica, false after `timeoutMs`. */
    async idle (id: string, timeoutMs: number): Promise<boolean> {
      const node = nodes.get(id)
      if (!node || node.inflight === 0) return true
      return await new Promise((resolve) => {
        const set = idleWaiters.get(id) ?? new Set()
        idleWaiters.set(id, set)
        const done = (ok: boolean) => { clearTimeout(timer); set.delete(onIdle); resolve(ok) }
        const onIdle = () => { done(true) }
        const timer = setTimeout(() => { done(false) }, timeoutMs)
        timer.unref()
        set.add(onIdle)
      })
    },
    pruneAffinity (): void {
      const t = now()
      for (const [k, v] of affinity) if (t - v.at >= AFFINITY_MS) affinity.delete(k)
    },
    close (): void {
      admission.close(() => genericError('gpu-coordinator', 'UNAVAILABLE', 'The coordinator is shutting down', { headers: { 'retry-after': '5' } }))
    }
  }
  return mesh satisfies Mesh
}
export type MeshImpl = ReturnType<typeof createMesh>
