// What the mesh shows: the model catalogue of the model endpoints (/api/tags, /api/ps, /v1/models) and the
// status document of GET /mesh (SPEC §7.4). Both read only the in-memory view.
import type { Mesh, NodeStatus, PriorityClass } from './mesh.types.js'
import type { NodeState } from './node-state.js'

const SERVING: NodeStatus[] = ['healthy', 'degraded', 'busy']

/** Models on the nodes that serve now (enabled, not draining, not offline or broken). */
export function catalogueOf (nodes: NodeState[], statusOf: (n: NodeState) => NodeStatus): ReturnType<Mesh['catalogue']> {
  const models = new Map<string, ReturnType<Mesh['catalogue']>['models'][number]>()
  const loaded: ReturnType<Mesh['catalogue']>['loaded'] = []
  for (const node of [...nodes].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (!SERVING.includes(statusOf(node))) continue
    for (const m of node.models.values()) {
      let entry = models.get(m.name)
      if (!entry) {
        entry = { name: m.name, sizeMb: m.sizeMb, nodes: [], loadedOn: [] }
        if (m.details !== undefined) entry.details = m.details
        if (m.modifiedAt !== undefined) entry.modifiedAt = m.modifiedAt
        if (m.digest !== undefined) entry.digest = m.digest
        models.set(m.name, entry)
      }
      entry.nodes.push(node.name)
      if (m.loaded) {
        entry.loadedOn.push(node.name)
        loaded.push({ model: m.name, node: node.name, sizeMb: m.sizeMb, expiresAt: m.expiresAt })
      }
    }
  }
  return { models: [...models.values()].sort((a, b) => (a.name < b.name ? -1 : 1)), loaded }
}

export function snapshotOf (nodes: NodeState[], statusOf: (n: NodeState) => NodeStatus, queue: { total: number, byClass: Record<PriorityClass, number> }, now: number) {
  const sorted = [...nodes].sort((a, b) => (a.name < b.name ? -1 : 1))
  const views = sorted.map((n) => ({
    id: n.id,
    name: n.name,
    status: statusOf(n),
    breaker: n.breaker.state(now),
    labels: n.labels,
    gpu: n.gpu ? { ...n.gpu, ...(n.memoryUsedMb !== null ? { memoryUsedMb: n.memoryUsedMb } : {}) } : null,
    loaded: [...n.models.values()].filter((m) => m.loaded).map((m) => ({ model: m.name, sizeMb: m.sizeMb, expiresAt: m.expiresAt })),
    inflight: n.inflight,
    maxInflight: n.maxInflight,
    tokPerSec: Object.fromEntries([...n.models.values()].filter((m) => m.tokPerSec !== null).map((m) => [m.name, Math.round(m.tokPerSec! * 10) / 10])),
    errorRate: Math.round(n.errorRate * 1000) / 1000,
    lastSeenAt: n.lastPollOkAt === null ? null : new Date(n.lastPollOkAt).toISOString()
  }))
  const catalogue = catalogueOf(nodes, statusOf)
  return {
    nodes: views,
    queue: { depth: queue.total, byClass: queue.byClass },
    models: catalogue.models.map((m) => ({ name: m.name, nodes: m.nodes, loadedOn: m.loadedOn })),
    totals: {
      nodes: nodes.length,
      healthy: views.filter((v) => v.status === 'healthy').length,
      gpus: nodes.reduce((sum, n) => sum + (n.gpu?.count ?? 0), 0),
      memoryMb: nodes.reduce((sum, n) => sum + (n.gpu?.memoryMb ?? 0), 0)
    }
  }
}

/** The model an unconfigured `default` alias stands for: loaded on most nodes, else on most nodes, then by name. */
export function pickDefaultModel (models: { name: string, nodes: string[], loadedOn: string[] }[]): string | null {
  const best = [...models].sort((a, b) => (b.loadedOn.length - a.loadedOn.length) || (b.nodes.length - a.nodes.length) || (a.name < b.name ? -1 : 1))[0]
  return best?.name ?? null
}
