// One node as this replica sees it: its registry row (what the API set) plus what polls, probes, heartbeats and
// finished calls taught us. Routing reads only this; the rows in `nodes`/`node_models` are a copy for the API
// and for restarts.
import type { Breaker } from './breaker.js'
import type { NodeStatus } from './mesh.types.js'

export interface Gpu { count: number, type: string, memoryMb: number }

/** What the registry (the `nodes` row) says about a node. */
export interface NodeRecord {
  id: string
  name: string
  baseUrl: string
  labels: Record<string, string>
  gpu: Gpu | null
  maxInflight: number
  enabled: boolean
  draining: boolean
  busy: boolean
  memoryUsedMb: number | null
  heartbeatAt: string | null
  source: 'api' | 'config'
  agentKey: boolean
  registeredAt: string
}

export interface ModelState {
  name: string
  sizeMb: number
  loaded: boolean
  expiresAt: string | null
  /** tokens/s EWMA (α 0.2) of finished calls of this model here; null until the first */
  tokPerSec: number | null
  digest?: string
  modifiedAt?: string
  details?: unknown
}

export interface NodeState extends NodeRecord {
  models: Map<string, ModelState>
  inflight: number
  lastPollOkAt: number | null
  lastTagsAt: number | null
  lastProbeAt: number | null
  probeMs: number | null
  probeOk: boolean | null
  /** failure EWMA (α 0.2) of calls and probes, 0–1 */
  errorRate: number
  breaker: Breaker
  /** the status last computed (and persisted), to notice changes */
  status: NodeStatus
}

/** Ollama names without a tag mean `:latest`. */
export const modelKey = (name: string) => (name.includes(':') ? name : `${name}:latest`)

export const hasModel = (node: NodeState, model: string) => node.models.has(modelKey(model))
export const modelOn = (node: NodeState, model: string) => node.models.get(modelKey(model))

/** Memory not taken by loaded models (or what the agent reports in use); null when the node's memory is unknown. */
export function freeMemoryMb (node: NodeState): number | null {
  if (!node.gpu || node.gpu.memoryMb <= 0) return null
  const loaded = [...node.models.values()].filter((m) => m.loaded).reduce((sum, m) => sum + m.sizeMb, 0)
  return node.gpu.memoryMb - Math.max(loaded, node.memoryUsedMb ?? 0)
}

export interface StatusRules { offlineAfterMs: number, now: number }

/**
 * SPEC §7.1's statuses. Admin states first; then offline (no successful poll for the offline time), unhealthy
 * (breaker open), busy (the agent says the GPU is in use, for as long as its heartbeat is fresh), degraded (the
 * last good poll is a quarter of the offline time old, the probe took > 5 s or failed, or > 20 % errors).
 */
export function computeStatus (node: NodeState, rules: StatusRules): NodeStatus {
  const { now, offlineAfterMs } = rules
  if (!node.enabled) return 'disabled'
  if (node.draining) return 'draining'
  if (node.lastPollOkAt === null || now - node.lastPollOkAt >= offlineAfterMs) return 'offline'
  if (node.breaker.state(now) === 'open') return 'unhealthy'
  if (node.busy && node.heartbeatAt !== null && now - Date.parse(node.heartbeatAt) < offlineAfterMs) return 'busy'
  if (now - node.lastPollOkAt >= offlineAfterMs / 4 || (node.probeMs ?? 0) > 5000 || node.probeOk === false || node.errorRate > 0.2) return 'degraded'
  return 'healthy'
}
