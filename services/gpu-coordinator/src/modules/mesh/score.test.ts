// SPEC §7.2's score, with its worked example as the test vector: A 105, B 40, C 151 → C.
import { describe, expect, it } from 'vitest'
import { uuidv7 } from '@robbie/contracts'
import { createBreaker } from './breaker.js'
import type { NodeState } from './node-state.js'
import { scoreCandidates } from './score.js'

const NOW = 1_000_000
function node (name: string, over: Partial<NodeState> & { model?: { loaded: boolean, tokPerSec: number | null, sizeMb?: number } } = {}): NodeState {
  const { model, ...rest } = over
  return {
    id: uuidv7(),
    name,
    baseUrl: `http://10.0.0.${name.length}:11434`,
    labels: {},
    gpu: { count: 1, type: 'RTX 4090', memoryMb: 24_000 },
    maxInflight: 2,
    enabled: true,
    draining: false,
    busy: false,
    memoryUsedMb: null,
    heartbeatAt: null,
    source: 'api',
    agentKey: false,
    registeredAt: new Date(NOW).toISOString(),
    models: new Map(model ? [['m:latest', { name: 'm:latest', sizeMb: model.sizeMb ?? 4000, loaded: model.loaded, expiresAt: null, tokPerSec: model.tokPerSec }]] : []),
    inflight: 0,
    lastPollOkAt: NOW,
    lastTagsAt: NOW,
    lastProbeAt: NOW,
    probeMs: 100,
    probeOk: true,
    errorRate: 0,
    breaker: createBreaker(30_000),
    status: 'healthy',
    ...rest
  }
}
const healthy = () => 'healthy' as const
const byName = (c: ReturnType<typeof scoreCandidates>) => Object.fromEntries(c.map((x) => [x.node, x]))

describe('routing score', () => {
  it('reproduces the worked example of SPEC §7.2', () => {
    const a = node('A', { model: { loaded: true, tokPerSec: 40 }, inflight: 1 })
    const b = node('B', { model: { loaded: false, tokPerSec: 80 } })
    const c = node('C', { model: { loaded: true, tokPerSec: 20 }, errorRate: 0.1 })
    const ranked = scoreCandidates([a, b, c], { model: 'm', affinityNodeId: c.id }, NOW, healthy)
    expect(ranked.map((x) => [x.node, x.score])).toEqual([['C', 151], ['A', 105], ['B', 40]])
    expect(byName(ranked).A!.components).toEqual({ warm: 1, affinity: 0, speed: 0.5, load: 0.5, fit: 1, errors: 0 })
    expect(byName(ranked).C!.components).toEqual({ warm: 1, affinity: 1, speed: 0.25, load: 0, fit: 1, errors: 0.1 })
  })

  it('gives affinity only while the model is still loaded there, and 0.5 speed when unknown', () => {
    const a = node('A', { model: { loaded: false, tokPerSec: null } })
    const [only] = scoreCandidates([a], { model: 'm', affinityNodeId: a.id }, NOW, healthy)
    expect(only!.components).toEqual({ warm: 0, affinity: 0, speed: 0.5, load: 0, fit: 1, errors: 0 })
  })

  it('breaks ties by fewer in flight, then by name', () => {
    const ranked = scoreCandidates([node('b', { model: { loaded: true, tokPerSec: null } }), node('a', { model: { loaded: true, tokPerSec: null } })], { model: 'm' }, NOW, healthy)
    expect(ranked.map((x) => x.node)).toEqual(['a', 'b'])
    const x = node('x', { model: { loaded: true, tokPerSec: null }, maxInflight: 4, inflight: 2 })
    const y = node('y', { model: { loaded: true, tokPerSec: null }, maxInflight: 2, inflight: 1 })
    expect(scoreCandidates([x, y], { model: 'm' }, NOW, healthy).map((c) => c.node)).toEqual(['y', 'x'])
  })

  it('scores cold nodes by whether the model fits in free memory', () => {
    const roomy = node('roomy', { model: { loaded: false, tokPerSec: null, sizeMb: 8000 } })
    const tight = node('tight', { model: { loaded: false, tokPerSec: null, sizeMb: 8000 }, memoryUsedMb: 15_000 })
    const c = byName(scoreCandidates([roomy, tight], { model: 'm' }, NOW, healthy))
    expect([c.roomy!.components.fit, c.tight!.components.fit]).toEqual([1, 0])
  })

  it('names why each ineligible node lost, and ranks eligible nodes first', () => {
    const open = node('open', { model: { loaded: true, tokPerSec: null } })
    for (let i = 0; i < 3; i++) open.breaker.failure(NOW, false)
    const nodes = [
      node('off', { model: { loaded: true, tokPerSec: null }, enabled: false }),
      node('drain', { model: { loaded: true, tokPerSec: null }, draining: true }),
      open,
      node('none'),
      node('huge', { model: { loaded: false, tokPerSec: null, sizeMb: 23_000 } }),
      node('cpu', { model: { loaded: true, tokPerSec: null }, labels: { gpu: 'no' } }),
      node('full', { model: { loaded: true, tokPerSec: null }, inflight: 2, labels: { gpu: 'yes' } }),
      node('gone', { model: { loaded: true, tokPerSec: null } }),
      node('ok', { model: { loaded: false, tokPerSec: null }, labels: { gpu: 'yes' } })
    ]
    const statusOf = (n: NodeState) => (n.name === 'gone' ? 'offline' as const : 'healthy' as const)
    const ranked = scoreCandidates(nodes, { model: 'm', requireLabels: { gpu: 'yes' } }, NOW, statusOf)
    expect(ranked[0]).toMatchObject({ node: 'ok', eligible: true })
    expect(Object.fromEntries(ranked.slice(1).map((c) => [c.node, c.reason]))).toEqual({
      off: 'disabled', drain: 'draining', open: 'breaker-open', none: 'model-missing', huge: 'too-big', cpu: 'labels', full: 'full', gone: 'offline'
    })
    const excluded = scoreCandidates([nodes[8]!], { model: 'm', exclude: [nodes[8]!.id] }, NOW, healthy)
    expect(excluded[0]).toMatchObject({ eligible: false, reason: 'excluded' })
  })
})
