// Node health (SPEC §7.1) against fake Ollama nodes: the probe is a real one-token generation on a loaded model
// (only /api/version when nothing is loaded); the breaker opens on node faults, goes half-open and closes; the
// polling loop walks a killed node through unhealthy and offline and back; the metrics show it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { uuidv7 } from '@robbie/contracts'
import { startFakeOllama, testContext, type FakeOllama } from '@robbie/testing'
import { addNode, as, BASE_ENV, buildGpuApp, nodeEvents, probe, type GpuTestApp } from './helper.js'

const API = '/api/gpu-coordinator'
const OPEN_MS = 300
let t: GpuTestApp
const fakes: FakeOllama[] = []
const fakeNode = async (loaded: boolean) => {
  const fake = await startFakeOllama({ models: [{ name: 'llama3.2:3b', sizeMb: 2000, loaded }] })
  fakes.push(fake)
  return fake
}
const sleep = async (ms: number) => await new Promise((resolve) => setTimeout(resolve, ms))

beforeAll(async () => { t = await buildGpuApp({ env: { ROBBIE_GPU_BREAKER_OPEN_MS: String(OPEN_MS) } }) })
afterAll(async () => { await Promise.all(fakes.map(async (f) => { await f.close() })) })

describe('probes', () => {
  it('generates one token on a model already loaded, keeping the node\'s own expiry', async () => {
    const fake = await fakeNode(true)
    const node = await addNode(t.app, fake, 'probe-warm')
    await probe(t.app, node.id) // after the round that registration starts
    fake.received.length = 0
    const after = await probe(t.app, node.id)
    const generations = fake.received.filter((r) => r.path === '/api/generate')
    expect(generations.map((r) => r.body)).toEqual([{ model: 'llama3.2:3b', prompt: 'ping', stream: false, options: { num_predict: 1 }, keep_alive: -1 }])
    expect(fake.received.map((r) => r.path)).toEqual(expect.arrayContaining(['/api/tags', '/api/ps']))
    expect(after).toMatchObject({ status: 'healthy', models: [{ name: 'llama3.2:3b', loaded: true }] })
  })

  it('checks only /api/version when nothing is loaded (a probe never loads a model)', async () => {
    const fake = await fakeNode(false)
    const node = await addNode(t.app, fake, 'probe-cold')
    await probe(t.app, node.id)
    fake.received.length = 0
    await probe(t.app, node.id)
    expect(fake.received.map((r) => r.path).sort()).toEqual(['/api/ps', '/api/tags', '/api/version'])
    expect(fake.loaded()).toEqual([])
  })
})

describe('circuit breaker', () => {
  it('opens after node faults, stops traffic at once, goes half-open after the open time and closes on a good trial', async () => {
    const fake = await fakeNode(true)
    const node = await addNode(t.app, fake, 'breaker-1')
    const others = () => t.app.mesh.list().filter((n) => n.id !== node.id).map((n) => n.id)
    const request = () => ({ model: 'llama3.2:3b', identity: { kind: 'user' as const, id: uuidv7(), role: 'owner' as const, scopes: [] }, priority: 'interactive' as const, requestId: uuidv7(), signal: new AbortController().signal, exclude: others() })

    await fake.fail({ kind: 'status', status: 500 })
    const opened = await probe(t.app, node.id) // /api/tags, /api/ps and the probe: three node faults
    expect(opened).toMatchObject({ breaker: 'open', status: 'unhealthy' })
    expect(t.app.mesh.candidates(request()).find((c) => c.node === 'breaker-1')).toMatchObject({ eligible: false, reason: 'breaker-open' })

    await sleep(OPEN_MS + 50)
    const half = await t.app.inject({ method: 'GET', url: `${API}/nodes/${node.id}`, headers: await as('admin') })
    expect(half.json()).toMatchObject({ breaker: 'half-open' })

    await fake.heal()
    const closed = await probe(t.app, node.id) // the half-open trial
    expect(closed).toMatchObject({ breaker: 'closed', status: 'healthy' })
    const lease = await t.app.mesh.acquire(request())
    expect(lease.nodeName).toBe('breaker-1')
    lease.succeeded({ ttftMs: 1, tokensOut: 1, durationMs: 2 })
    const moves = (await nodeEvents(t.app, 'gpu-coordinator.node.status-changed.v1', node.id)).map((e) => [e.data.from, e.data.to])
    expect(moves).toEqual([['healthy', 'unhealthy'], ['unhealthy', 'healthy']])
    const { rows } = await t.app.db.query('SELECT status, breaker_state FROM nodes WHERE id = $1', [node.id])
    expect(rows[0]).toEqual({ status: 'healthy', breaker_state: 'closed' })
  })

  it('opens on three failed calls reported through leases, without any poll', async () => {
    const fake = await fakeNode(true)
    const node = await addNode(t.app, fake, 'breaker-2')
    await probe(t.app, node.id)
    for (let i = 0; i < 3; i++) {
      const lease = await t.app.mesh.acquire({ model: 'llama3.2:3b', identity: { kind: 'service', id: 'svc:chat', scopes: [] }, priority: 'normal', requestId: uuidv7(), signal: new AbortController().signal, exclude: t.app.mesh.list().filter((n) => n.id !== node.id).map((n) => n.id) })
      lease.failed({ nodeFault: true, reason: 'connect ECONNREFUSED', durationMs: 2 })
    }
    expect(t.app.mesh.get(node.id)!.breaker.state(Date.now())).toBe('open')
    await expect.poll(async () => (await t.app.db.query('SELECT status FROM nodes WHERE id = $1', [node.id])).rows[0]?.status).toBe('unhealthy')
  })
})

describe('the polling loop', () => {
  it('walks a killed node through unhealthy and offline, and back to healthy when it returns', async () => {
    const ctx = await testContext('gpu-coordinator', {
      ...BASE_ENV, ROBBIE_GPU_PS_INTERVAL_MS: '100', ROBBIE_GPU_PROBE_INTERVAL_MS: '200', ROBBIE_GPU_OFFLINE_AFTER_MS: '1500', ROBBIE_GPU_BREAKER_OPEN_MS: '200'
    })
    const loop = await buildGpuApp({ ctx })
    const fake = await fakeNode(true)
    const node = await addNode(loop.app, fake, 'looped')
    const statusNow = () => loop.app.mesh.status(loop.app.mesh.get(node.id)!)
    await expect.poll(statusNow).toBe('healthy')

    const stored = async () => (await loop.app.db.query('SELECT status FROM nodes WHERE id = $1', [node.id])).rows[0]?.status as string
    await fake.kill()
    await expect.poll(stored, { timeout: 5000 }).toBe('unhealthy')
    await expect.poll(stored, { timeout: 5000 }).toBe('offline')
    await fake.restart()
    await expect.poll(statusNow, { timeout: 5000 }).toBe('healthy')
    await expect.poll(async () => (await nodeEvents(loop.app, 'gpu-coordinator.node.status-changed.v1', node.id)).map((e) => e.data.to), { timeout: 5000 })
      .toEqual(expect.arrayContaining(['unhealthy', 'offline', 'healthy']))

    const metrics = (await loop.app.inject({ method: 'GET', url: '/metrics' })).body
    expect(metrics).toMatch(/robbie_gpu_node_up\{[^}]*node="looped"[^}]*\} 1/)
    expect(metrics).toMatch(/robbie_gpu_breaker_state\{[^}]*node="looped"[^}]*\} 0/)
    expect(metrics).toMatch(/robbie_gpu_inflight\{[^}]*node="looped"[^}]*\} 0/)
    expect(metrics).toMatch(/robbie_gpu_queue_depth\{[^}]*class="interactive"[^}]*\} 0/)
    const ready = await loop.app.inject({ method: 'GET', url: `${API}/readyz` })
    expect(ready.json()).toMatchObject({ checks: { nodes: { ok: true, detail: '1 nodes, 1 healthy' } } })
  })
})
