// The mesh's Prometheus metrics (SPEC §7.4), read from the in-memory view at scrape time. Label values are
// configured node names and fixed sets (class, reason), never request data.
import { Counter, Gauge, type Metrics } from '@robbie/service-kit'
import { CLASSES, type RejectReason } from './admission.js'
import type { MeshImpl } from './mesh.js'

const BREAKER = { closed: 0, 'half-open': 1, open: 2 } as const
const UP = new Set(['healthy', 'degraded', 'busy'])

export function createMeshMetrics (registry: Metrics['registry']) {
  let observed: MeshImpl | undefined
  const mesh = () => observed
  const perNode = (name: string, help: string, value: (m: MeshImpl, n: ReturnType<MeshImpl['list']>[number]) => number) => new Gauge({
    name,
    help,
    labelNames: ['node'],
    registers: [registry],
    collect () {
      this.reset()
      const m = mesh()
      for (const n of m?.list() ?? []) this.set({ node: n.name }, value(m!, n))
    }
  })
  const queueDepth = new Gauge({
    name: 'robbie_gpu_queue_depth',
    help: 'Model calls waiting in the admission queue',
    labelNames: ['class'],
    registers: [registry],
    collect () {
      const depth = mesh()?.queueDepth()
      for (const c of CLASSES) this.set({ class: c }, depth?.byClass[c] ?? 0)
    }
  })
  const gauges = [
    queueDepth,
    perNode('robbie_gpu_inflight', 'Model calls in flight per node (this replica)', (_m, n) => n.inflight),
    perNode('robbie_gpu_node_up', 'Whether the node serves (healthy, degraded or busy)', (m, n) => (UP.has(m.status(n)) ? 1 : 0)),
    perNode('robbie_gpu_breaker_state', 'Circuit breaker per node: 0 closed, 1 half-open, 2 open', (_m, n) => BREAKER[n.breaker.state(Date.now())])
  ]
  const rejections = new Counter({ name: 'robbie_gpu_rejections_total', help: 'Model calls refused by admission', labelNames: ['reason'], registers: [registry] })
  return {
    gauges,
    observe: (m: MeshImpl) => { observed = m },
    rejected: (reason: RejectReason) => { rejections.inc({ reason }) }
  }
}
