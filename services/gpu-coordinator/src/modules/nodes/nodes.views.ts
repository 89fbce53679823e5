// A node as the registry API shows it (SPEC §7.1): the registry fields plus this replica's live view.
import type { NodeStatus } from '../mesh/mesh.types.js'
import type { NodeState } from '../mesh/node-state.js'
import type { NodeView } from './nodes.schemas.js'

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString())

export function viewOf (node: NodeState, status: NodeStatus): NodeView {
  const now = Date.now()
  return {
    id: node.id,
    name: node.name,
    baseUrl: node.baseUrl,
    labels: node.labels,
    gpu: node.gpu,
    maxInflight: node.maxInflight,
    enabled: node.enabled,
    draining: node.draining,
    busy: node.busy,
    status,
    breaker: node.breaker.state(now),
    inflight: node.inflight,
    errorRate: Math.round(node.errorRate * 1000) / 1000,
    memoryUsedMb: node.memoryUsedMb,
    lastSeenAt: iso(node.lastPollOkAt),
    lastProbeAt: iso(node.lastProbeAt),
    probeMs: node.probeMs,
    registeredAt: node.registeredAt,
    source: node.source,
    agentKey: node.agentKey,
    models: [...node.models.values()].sort((a, b) => (a.name < b.name ? -1 : 1)).map((m) => ({
      name: m.name,
      sizeMb: m.sizeMb,
      loaded: m.loaded,
      expiresAt: m.expiresAt,
      tokPerSec: m.tokPerSec === null ? null : Math.round(m.tokPerSec * 10) / 10
    }))
  }
}
