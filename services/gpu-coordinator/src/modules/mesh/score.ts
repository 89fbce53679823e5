// The routing score of SPEC §7.2, pure:
//   score = 100·warm + 30·affinity + 20·speed − 50·load + 20·fit − 40·errors
// over the eligible nodes; highest wins, ties → fewer in flight, then name. Ineligible nodes are scored too (with
// the reason), so the decision log shows why each node lost.
import type { CandidateScore, NodeStatus } from './mesh.types.js'
import { freeMemoryMb, modelOn, type NodeState } from './node-state.js'

export interface ScoreRequest {
  model: string
  requireLabels?: Record<string, string>
  exclude?: string[]
  /** the node this conversation was served on within 30 min (SPEC §7.2 affinity), if any */
  affinityNodeId?: string | null
}

const round = (x: number) => Math.round(x * 1000) / 1000
const ROUTABLE: NodeStatus[] = ['healthy', 'degraded']

function ineligibility (node: NodeState, req: ScoreRequest, status: NodeStatus, now: number): string | undefined {
  if (req.exclude?.includes(node.id) || req.exclude?.includes(node.name)) return 'excluded'
  if (!node.enabled) return 'disabled'
  if (node.draining) return 'draining'
  if (status === 'busy') return 'busy'
  if (!node.breaker.admits(now)) return 'breaker-open'
  if (!ROUTABLE.includes(status)) return status
  const model = modelOn(node, req.model)
  if (!model) return 'model-missing'
  if (node.gpu && node.gpu.memoryMb > 0 && model.sizeMb > 0.95 * node.gpu.memoryMb) return 'too-big'
  for (const [k, v] of Object.entries(req.requireLabels ?? {})) if (node.labels[k] !== v) return 'labels'
  if (node.inflight >= node.maxInflight) return 'full'
  return undefined
}

/** Every node scored for this request, best first (eligible ones before the rest). */
export function scoreCandidates (nodes: NodeState[], req: ScoreRequest, now: number, statusOf: (n: NodeState) => NodeStatus): CandidateScore[] {
  const reasons = new Map(nodes.map((n) => [n.id, ineligibility(n, req, statusOf(n), now)]))
  const speedOf = (n: NodeState) => modelOn(n, req.model)?.tokPerSec ?? null
  const known = (pool: NodeState[]) => pool.map(speedOf).filter((s): s is number => s !== null && s > 0)
  const eligibleSpeeds = known(nodes.filter((n) => reasons.get(n.id) === undefined))
  const best = Math.max(0, ...(eligibleSpeeds.length > 0 ? eligibleSpeeds : known(nodes)))

  const scored = nodes.map((node) => {
    const model = modelOn(node, req.model)
    const warm = model?.loaded ? 1 : 0
    const affinity = warm === 1 && req.affinityNodeId === node.id ? 1 : 0
    const own = speedOf(node)
    const speed = own !== null && best > 0 ? Math.min(1, own / best) : 0.5
    const load = node.inflight / node.maxInflight
    const free = freeMemoryMb(node)
    const fit = warm === 1 || free === null || (model !== undefined && free >= 1.2 * model.sizeMb) ? 1 : 0
    const errors = Math.min(1, Math.max(0, node.errorRate))
    const score = 100 * warm + 30 * affinity + 20 * speed - 50 * load + 20 * fit - 40 * errors
    const reason = reasons.get(node.id)
    const candidate: CandidateScore = {
      node: node.name,
      eligible: reason === undefined,
      score: round(score),
      components: { warm, affinity, speed: round(speed), load: round(load), fit, errors: round(errors) }
    }
    if (reason !== undefined) candidate.reason = reason
    return { candidate, inflight: node.inflight }
  })
  scored.sort((a, b) => Number(b.candidate.eligible) - Number(a.candidate.eligible) ||
    b.candidate.score - a.candidate.score ||
    a.inflight - b.inflight ||
    (a.candidate.node < b.candidate.node ? -1 : a.candidate.node > b.candidate.node ? 1 : 0))
  return scored.map((s) => s.candidate)
}
