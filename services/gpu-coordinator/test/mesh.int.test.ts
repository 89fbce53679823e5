// The mesh over real (fake) nodes (SPEC §7.2, §7.4): affinity holds, the interactive class is served first under
// contention, saturation answers 429/503 with retryAfterS at SPEC's bounds, and the status and history API.
import { setMaxListeners } from 'node:events'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { uuidv7, type Identity } from '@robbie/contracts'
import { startFakeOllama, testContext, type FakeOllama } from '@robbie/testing'
import type { PriorityClass, RouteRequest } from '../src/modules/mesh/mesh.types.js'
import { addNode, as, BASE_ENV, buildGpuApp, codeOf, probe, type GpuTestApp, type NodeJson } from './helper.js'

const API = '/api/gpu-coordinator'
let t: GpuTestApp
let fakes: FakeOllama[]
let nodes: NodeJson[]

const user = (role: 'owner' | 'admin' | 'member' = 'member'): Identity => ({ kind: 'user', id: uuidv7(), role, scopes: [] })
/** Requests for one model, limited to the given nodes of this file (others exist in the same app). */
const on = (names: string[], over: Partial<RouteRequest> = {}): RouteRequest => ({
  model: 'llama3.2:3b',
  identity: user(),
  priority: 'interactive',
  requestId: uuidv7(),
  signal: new AbortController().signal,
  exclude: t.app.mesh.list().filter((n) => !names.includes(n.name)).map((n) => n.id),
  ...over
})

beforeAll(async () => {
  t = await buildGpuApp({ ctx: await testContext('gpu-coordinator', { ...BASE_ENV, ROBBIE_GPU_SAMPLE_INTERVAL_MS: '100' }) })
  fakes = await Promise.all([1, 2, 3].map(async () => await startFakeOllama({ models: [{ name: 'llama3.2:3b', sizeMb: 2000, loaded: true }, { name: 'qwen2.5:7b', sizeMb: 4700 }] })))
  nodes = []
  for (const [i, fake] of fakes.entries()) {
    const node = await addNode(t.app, fake, `mesh-${i + 1}`, { maxInflight: i === 2 ? 1 : 4, gpu: { count: 1, type: 'RTX 4090', memoryMb: 24_000 } })
    nodes.push(await probe(t.app, node.id))
  }
})
afterAll(async () => { await Promise.all(fakes.map(async (f) => { await f.close() })) })

describe('routing', () => {
  it('keeps a conversation on the node that served it, even when that node is busier', async () => {
    const me = user()
    const first = await t.app.mesh.acquire(on(['mesh-2'], { identity: me, session: 'conv-1' }))
    expect(first.nodeName).toBe('mesh-2')
    first.succeeded({ ttftMs: 20, tokensOut: 40, durationMs: 1020 })
    const holding = await t.app.mesh.acquire(on(['mesh-2']))
    // mesh-2 now has 1 of 4 in flight; mesh-1 is idle and just as warm
    for (let i = 0; i < 3; i++) {
      const again = await t.app.mesh.acquire(on(['mesh-1', 'mesh-2'], { identity: me, session: 'conv-1' }))
      expect([again.nodeName, again.candidates[0]!.components.affinity]).toEqual(['mesh-2', 1])
      again.succeeded({ ttftMs: 20, tokensOut: 40, durationMs: 1020 })
    }
    const stranger = await t.app.mesh.acquire(on(['mesh-1', 'mesh-2'], { session: 'conv-1' }))
    expect(stranger.nodeName).toBe('mesh-1')
    stranger.succeeded({ ttftMs: 1, tokensOut: 1, durationMs: 2 })
    holding.succeeded({ ttftMs: 1, tokensOut: 1, durationMs: 2 })
  })

  it('serves the interactive class first when one slot frees under contention', async () => {
    const holder = await t.app.mesh.acquire(on(['mesh-3']))
    expect(holder.nodeName).toBe('mesh-3')
    const served: string[] = []
    const wait = (label: string, priority: PriorityClass) => t.app.mesh.acquire(on(['mesh-3'], { priority })).then((lease) => {
      served.push(label)
      lease.succeeded({ ttftMs: 1, tokensOut: 1, durationMs: 5 })
    })
    const all = [wait('batch', 'batch'), wait('normal', 'normal'), wait('interactive', 'interactive'), wait('batch-2', 'batch')]
    expect(t.app.mesh.queueDepth().byClass).toEqual({ interactive: 1, normal: 1, batch: 2 })
    const mesh = await t.app.inject({ method: 'GET', url: `${API}/mesh`, headers: await as('admin') })
    expect(mesh.json()).toMatchObject({ queue: { depth: 4, byClass: { interactive: 1, normal: 1, batch: 2 } } })
    holder.succeeded({ ttftMs: 1, tokensOut: 1, durationMs: 5 })
    await Promise.all(all)
    expect(served).toEqual(['interactive', 'normal', 'batch', 'batch-2'])
  })

  it('answers saturation with 429 past 16 per identity and 503 past 256 in total, each with retryAfterS', async () => {
    const holder = await t.app.mesh.acquire(on(['mesh-3']))
    const ctl = new AbortController()
    setMaxListeners(300, ctl.signal) // one signal for all 258 waiters
    const queued: Promise<unknown>[] = []
    const park = (identity: Identity) => { const p = t.app.mesh.acquire(on(['mesh-3'], { identity, priority: 'batch', signal: ctl.signal })); queued.push(p.catch(() => 'left')); return p }
    const greedy = user()
    for (let i = 0; i < 16; i++) void park(greedy)
    const limited = await park(greedy).then(() => null, (err: { code: string, statusCode: number, retryAfterS: number, headers: Record<string, string> }) => err)
    expect(limited).toMatchObject({ code: 'GPU_COORDINATOR_RATE_LIMITED', statusCode: 429 })
    expect(limited!.retryAfterS).toBeGreaterThanOrEqual(1)
    expect(limited!.retryAfterS).toBeLessThanOrEqual(60)
    expect(limited!.headers['retry-after']).toBe(String(limited!.retryAfterS))

    for (let i = 0; i < 15; i++) { const someone = user(); for (let j = 0; j < 16; j++) void park(someone) }
    expect(t.app.mesh.queueDepth().total).toBe(256)
    const full = await park(user()).then(() => null, (err: { code: string, statusCode: number, retryAfterS: number }) => err)
    expect(full).toMatchObject({ code: 'GPU_COORDINATOR_QUEUE_FULL', statusCode: 503 })
    // ⌈256 queued × mean service s ÷ 9 slots⌉, within 1–60
    expect(full!.retryAfterS).toBeGreaterThanOrEqual(Math.min(60, limited!.retryAfterS))
    expect(full!.retryAfterS).toBeLessThanOrEqual(60)

    const metrics = (await t.app.inject({ method: 'GET', url: '/metrics' })).body
    expect(metrics).toMatch(/robbie_gpu_rejections_total\{[^}]*reason="rate-limited"[^}]*\} 1/)
    expect(metrics).toMatch(/robbie_gpu_rejections_total\{[^}]*reason="queue-full"[^}]*\} 1/)
    expect(metrics).toMatch(/robbie_gpu_queue_depth\{[^}]*class="batch"[^}]*\} 256/)
    ctl.abort()
    expect(await Promise.all(queued)).toEqual(Array(258).fill('left'))
    expect(t.app.mesh.queueDepth().total).toBe(0)
    holder.succeeded({ ttftMs: 1, tokensOut: 1, durationMs: 5 })
  })

  it('says at once when the model is on no node (404) instead of queueing', async () => {
    const err = await t.app.mesh.acquire(on(['mesh-1'], { model: 'mistral:7b' })).then(() => null, (e: { code: string, statusCode: number }) => e)
    expect(err).toMatchObject({ code: 'GPU_COORDINATOR_MODEL_NOT_FOUND', statusCode: 404 })
    expect(t.app.mesh.catalogue().models.map((m) => [m.name, m.nodes])).toEqual([['llama3.2:3b', ['mesh-1', 'mesh-2', 'mesh-3']], ['qwen2.5:7b', ['mesh-1', 'mesh-2', 'mesh-3']]])
  })
})

describe('mesh status API', () => {
  it('shows owner and admin the nodes, queue, models and totals', async () => {
    const res = await t.app.inject({ method: 'GET', url: `${API}/mesh`, headers: await as('owner') })
    expect(res.statusCode).toBe(200)
    const body = res.json<{ nodes: Array<Record<string, unknown>>, models: unknown[], totals: unknown }>()
    expect(body.nodes.map((n) => n.name)).toEqual(['mesh-1', 'mesh-2', 'mesh-3'])
    expect(body.nodes[1]).toMatchObject({
      id: nodes[1]!.id,
      status: 'healthy',
      breaker: 'closed',
      gpu: { count: 1, type: 'RTX 4090', memoryMb: 24_000 },
      loaded: [{ model: 'llama3.2:3b', sizeMb: 2000, expiresAt: '2318-01-01T00:00:00.000Z' }],
      inflight: 0,
      maxInflight: 4,
      tokPerSec: { 'llama3.2:3b': 40 },
      errorRate: 0,
      lastSeenAt: expect.any(String)
    })
    expect(body.models).toEqual([
      { name: 'llama3.2:3b', nodes: ['mesh-1', 'mesh-2', 'mesh-3'], loadedOn: ['mesh-1', 'mesh-2', 'mesh-3'], available: true, loaded: true },
      { name: 'qwen2.5:7b', nodes: ['mesh-1', 'mesh-2', 'mesh-3'], loadedOn: [], available: true, loaded: false }
    ])
    expect(body.totals).toEqual({ nodes: 3, healthy: 3, gpus: 3, memoryMb: 72_000 })
  })

  it('shows a member totals and model availability only', async () => {
    const res = await t.app.inject({ method: 'GET', url: `${API}/mesh`, headers: await as('member') })
    expect(res.json()).toEqual({
      models: [{ name: 'llama3.2:3b', available: true, loaded: true }, { name: 'qwen2.5:7b', available: true, loaded: false }],
      totals: { nodes: 3, healthy: 3, gpus: 3, memoryMb: 72_000 }
    })
    expect(codeOf(await t.app.inject({ method: 'GET', url: `${API}/mesh/history`, headers: await as('member') }))).toEqual([403, 'GPU_COORDINATOR_FORBIDDEN'])
  })

  it('keeps samples of in flight per node and queue depth for the history', async () => {
    const lease = await t.app.mesh.acquire(on(['mesh-1']))
    const history = async () => (await t.app.inject({ method: 'GET', url: `${API}/mesh/history?minutes=5`, headers: await as('admin') })).json<{ items: Array<{ inflight: Record<string, number> }>, nextCursor: null }>()
    const busy = async () => (await history()).items.filter((p) => p.inflight['mesh-1'] === 1 && p.inflight['mesh-3'] === 0)
    await expect.poll(async () => (await busy()).length).toBeGreaterThan(0)
    lease.succeeded({ ttftMs: 1, tokensOut: 1, durationMs: 2 })
    expect((await history()).nextCursor).toBeNull()
    expect((await busy()).at(-1)).toEqual({ at: expect.any(String), queueDepth: 0, byClass: { interactive: 0, normal: 0, batch: 0 }, inflight: { 'mesh-1': 1, 'mesh-2': 0, 'mesh-3': 0 } })
    expect(codeOf(await t.app.inject({ method: 'GET', url: `${API}/mesh/history?minutes=1441`, headers: await as('admin') }))).toEqual([400, 'GPU_COORDINATOR_VALIDATION_FAILED'])
    await t.app.db.query("INSERT INTO mesh_samples (id, at, instance, inflight, queue_depth, by_class) VALUES ($1, now() - interval '25 hours', 'old', '{}', 0, '{}')", [uuidv7()])
    expect(await t.app.jobs.runOnce('mesh-samples-prune')).toBe('success')
    expect((await t.app.db.query("SELECT 1 FROM mesh_samples WHERE instance = 'old'")).rowCount).toBe(0)
  })
})
