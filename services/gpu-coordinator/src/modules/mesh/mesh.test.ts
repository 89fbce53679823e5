// The mesh without the network: admission order (class, owner, aging), bounds and their Retry-After, refusals,
// leases feeding the breaker and affinity. The clock is injected; nodes are put in as a poll would leave them.
import { describe, expect, it } from 'vitest'
import { uuidv7, type Identity } from '@robbie/contracts'
import { createMesh, type MeshConfig } from './mesh.js'
import { pickDefaultModel } from './mesh.views.js'
import type { PriorityClass, RouteRequest } from './mesh.types.js'
import type { NodeRecord } from './node-state.js'

const config: MeshConfig = {
  ROBBIE_GPU_DEFAULT_MODEL: 'llama3.2:3b',
  ROBBIE_GPU_FAST_MODEL: undefined,
  ROBBIE_GPU_OFFLINE_AFTER_MS: 60_000,
  ROBBIE_GPU_BREAKER_OPEN_MS: 30_000,
  ROBBIE_GPU_WAIT_INTERACTIVE_MS: 30_000,
  ROBBIE_GPU_WAIT_NORMAL_MS: 120_000,
  ROBBIE_GPU_WAIT_BATCH_MS: 600_000,
  ROBBIE_GPU_QUEUE_MAX: 256,
  ROBBIE_GPU_QUEUE_PER_IDENTITY: 16
}

function setup (over: Partial<MeshConfig> = {}) {
  const clock = { t: 1_000_000 }
  const rejections: string[] = []
  const mesh = createMesh({ config: { ...config, ...over }, now: () => clock.t, onReject: (r) => rejections.push(r) })
  const add = (name: string, opts: { maxInflight?: number, loaded?: boolean, labels?: Record<string, string> } = {}) => {
    const record: NodeRecord = {
      id: uuidv7(),
      name,
      baseUrl: 'http://10.0.0.1:11434',
      labels: opts.labels ?? {},
      gpu: { count: 1, type: 'A', memoryMb: 24_000 },
      maxInflight: opts.maxInflight ?? 1,
      enabled: true,
      draining: false,
      busy: false,
      memoryUsedMb: null,
      heartbeatAt: null,
      source: 'api',
      agentKey: false,
      registeredAt: new Date(clock.t).toISOString()
    }
    return mesh.put(record, { polledAt: clock.t, models: [{ name: 'm:latest', sizeMb: 4000, loaded: opts.loaded ?? true, expiresAt: null, tokPerSec: null }] })
  }
  return { mesh, clock, add, rejections }
}

const user = (role: 'owner' | 'admin' | 'member' = 'member', id = uuidv7()): Identity => ({ kind: 'user', id, role, scopes: [] })
const req = (over: Partial<RouteRequest> = {}): RouteRequest => ({
  model: 'm', identity: user(), priority: 'interactive', requestId: uuidv7(), signal: new AbortController().signal, ...over
})
const codeOf = async (p: Promise<unknown>) => await p.then(() => 'granted', (err: { code?: string, retryAfterS?: number }) => [err.code, err.retryAfterS])

describe('admission queue', () => {
  it('serves a freed slot to interactive first, then owner-normal, normal, batch', async () => {
    const { mesh, clock, add } = setup()
    add('solo')
    const holder = await mesh.acquire(req())
    const served: string[] = []
    const wait = (label: string, priority: PriorityClass, identity = user()) => mesh.acquire(req({ priority, identity })).then((lease) => {
      served.push(label)
      clock.t += 1000
      lease.succeeded({ ttftMs: 10, tokensOut: 5, durationMs: 100 })
    })
    const all = [wait('batch', 'batch'), wait('normal', 'normal'), wait('owner-normal', 'normal', user('owner')), wait('interactive', 'interactive')]
    expect(mesh.queueDepth()).toEqual({ total: 4, byClass: { interactive: 1, normal: 2, batch: 1 } })
    holder.succeeded({ ttftMs: 10, tokensOut: 5, durationMs: 100 })
    await Promise.all(all)
    expect(served).toEqual(['interactive', 'owner-normal', 'normal', 'batch'])
  })

  it('ages waiters by one point per second, so a long-waiting batch call overtakes a new normal one', async () => {
    const { mesh, clock, add } = setup()
    const solo = add('solo')
    const holder = await mesh.acquire(req())
    const served: string[] = []
    const batch = mesh.acquire(req({ priority: 'batch' })).then((l) => { served.push('batch'); l.failed({ nodeFault: false, reason: 'done', durationMs: 1 }) })
    clock.t += 101_000
    solo.lastPollOkAt = clock.t // polls kept it healthy meanwhile
    const normal = mesh.acquire(req({ priority: 'normal' })).then((l) => { served.push('normal'); l.failed({ nodeFault: false, reason: 'done', durationMs: 1 }) })
    holder.succeeded({ ttftMs: null, tokensOut: 0, durationMs: 1 })
    await Promise.all([batch, normal])
    expect(served).toEqual(['batch', 'normal'])
  })

  it('refuses past the per-identity bound with 429 and past the total bound with 503, both with Retry-After', async () => {
    const { mesh, add, rejections } = setup({ ROBBIE_GPU_QUEUE_MAX: 4, ROBBIE_GPU_QUEUE_PER_IDENTITY: 2 })
    add('solo')
    await mesh.acquire(req())
    const alice = user()
    const queued = [mesh.acquire(req({ identity: alice })), mesh.acquire(req({ identity: alice }))]
    expect(await codeOf(mesh.acquire(req({ identity: alice })))).toEqual(['GPU_COORDINATOR_RATE_LIMITED', expect.any(Number)])
    queued.push(mesh.acquire(req()), mesh.acquire(req()))
    const [code, retryAfterS] = await codeOf(mesh.acquire(req())) as [string, number]
    expect(code).toBe('GPU_COORDINATOR_QUEUE_FULL')
    // ⌈4 queued × 5 s mean service ÷ 1 slot⌉ = 20
    expect(retryAfterS).toBe(20)
    expect(rejections).toEqual(['rate-limited', 'queue-full'])
    expect(mesh.queueDepth().total).toBe(4)
    mesh.close()
    expect(await Promise.all(queued.map(codeOf))).toEqual(Array(4).fill(['GPU_COORDINATOR_UNAVAILABLE', undefined]))
  })

  it('says no node, model not found, or no other node at once instead of queueing', async () => {
    const { mesh, add } = setup()
    expect(mesh.hasNodes()).toBe(false)
    expect(await codeOf(mesh.acquire(req()))).toEqual(['GPU_COORDINATOR_NO_NODES', 1])
    const solo = add('solo', { labels: { zone: 'a' } })
    expect(await codeOf(mesh.acquire(req({ model: 'nope' })))).toEqual(['GPU_COORDINATOR_MODEL_NOT_FOUND', undefined])
    expect(await codeOf(mesh.acquire(req({ exclude: [solo.id] })))).toEqual(['GPU_COORDINATOR_NO_NODES', 1])
    expect(await codeOf(mesh.acquire(req({ requireLabels: { zone: 'b' } })))).toEqual(['GPU_COORDINATOR_NO_NODES', 1])
    expect(await codeOf(mesh.acquire(req({ requireLabels: { zone: 'a' } })))).toBe('granted')
    expect(mesh.resolveModel('default')).toBe('llama3.2:3b')
    expect(mesh.resolveModel('fast')).toBe('llama3.2:3b') // no fast model configured: the default
    expect(mesh.resolveModel('m')).toBe('m')
  })

  it('resolves unconfigured aliases to the model loaded on most nodes, else present on most, then by name', () => {
    const { mesh, add } = setup({ ROBBIE_GPU_DEFAULT_MODEL: undefined })
    expect(mesh.resolveModel('default')).toBe('default') // no node: nothing to choose; acquire says NO_NODES
    add('a', { loaded: false })
    expect(mesh.resolveModel('default')).toBe('m:latest')
    expect(mesh.resolveModel('fast')).toBe('m:latest')
    const m = (name: string, nodes: string[], loadedOn: string[]) => ({ name, nodes, loadedOn })
    expect(pickDefaultModel([m('b', ['x', 'y'], []), m('a', ['x'], ['x'])])).toBe('a') // loaded beats present
    expect(pickDefaultModel([m('b', ['x', 'y'], []), m('a', ['x'], [])])).toBe('b') // on more nodes
    expect(pickDefaultModel([m('b', ['x'], []), m('a', ['y'], [])])).toBe('a') // then by name
  })

  it('times a waiter out with 503 QUEUE_TIMEOUT and lets an aborted caller leave the queue', async () => {
    const { mesh, add } = setup({ ROBBIE_GPU_WAIT_INTERACTIVE_MS: 30 })
    add('solo')
    await mesh.acquire(req())
    expect(await codeOf(mesh.acquire(req()))).toEqual(['GPU_COORDINATOR_QUEUE_TIMEOUT', expect.any(Number)])
    const ctl = new AbortController()
    const leaving = mesh.acquire(req({ priority: 'batch', signal: ctl.signal }))
    expect(mesh.queueDepth().byClass.batch).toBe(1)
    ctl.abort()
    await expect(leaving).rejects.toThrow()
    expect(mesh.queueDepth().total).toBe(0)
  })
})

describe('leases', () => {
  it('stop sending traffic to a node at once when its breaker opens', async () => {
    const { mesh, add, clock } = setup()
    const a = add('a', { maxInflight: 4 })
    add('b', { maxInflight: 4, loaded: false })
    for (let i = 0; i < 3; i++) {
      const lease = await mesh.acquire(req())
      expect(lease.nodeName).toBe('a')
      lease.failed({ nodeFault: true, reason: 'connect ECONNREFUSED', durationMs: 3 })
    }
    expect(a.breaker.state(clock.t)).toBe('open')
    const next = await mesh.acquire(req())
    expect(next.nodeName).toBe('b')
    expect(next.candidates.find((c) => c.node === 'a')).toMatchObject({ eligible: false, reason: 'breaker-open' })
    expect(mesh.status(a)).toBe('unhealthy')
  })

  it('keeps a conversation on the node that served it while the model stays loaded', async () => {
    const { mesh, add } = setup()
    add('a', { maxInflight: 4 })
    const b = add('b', { maxInflight: 4 })
    const me = user()
    const first = await mesh.acquire(req({ session: 's1', identity: me, exclude: ['a'] }))
    expect(first.nodeName).toBe('b')
    first.succeeded({ ttftMs: 50, tokensOut: 20, durationMs: 1050 })
    expect(b.models.get('m:latest')!.tokPerSec).toBe(20)
    const again = await mesh.acquire(req({ session: 's1', identity: me }))
    expect([again.nodeName, again.candidates[0]!.components.affinity]).toEqual(['b', 1])
    // the same session string of someone else is another conversation
    const other = await mesh.acquire(req({ session: 's1', identity: user() }))
    expect(other.candidates.find((c) => c.node === 'b')!.components.affinity).toBe(0)
  })

  it('count once: a second outcome report is ignored', async () => {
    const { mesh, add } = setup()
    const a = add('a', { maxInflight: 2 })
    const lease = await mesh.acquire(req())
    expect(a.inflight).toBe(1)
    lease.succeeded({ ttftMs: 1, tokensOut: 1, durationMs: 2 })
    lease.failed({ nodeFault: true, reason: 'late', durationMs: 3 })
    expect([a.inflight, a.errorRate]).toEqual([0, 0])
  })
})
