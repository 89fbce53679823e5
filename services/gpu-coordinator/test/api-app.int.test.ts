// The model endpoints as app.ts composes them: the real mesh (registry, health, scores, admission queue) over
// fake nodes added through the API, the app on a real port, called with the `ollama` client and plain HTTP.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { Ollama } from 'ollama'
import { startFakeOllama, testContext, type FakeOllama } from '@robbie/testing'
import { addNode, as, BASE_ENV, buildGpuApp, probe, type GpuTestApp, type NodeJson } from './helper.js'

const MODEL = 'llama3.2:3b'
let t: GpuTestApp
let base: string
let fakes: FakeOllama[]
let nodes: NodeJson[]

beforeAll(async () => {
  t = await buildGpuApp({
    ctx: await testContext('gpu-coordinator', {
      ...BASE_ENV,
      ROBBIE_GPU_DEFAULT_MODEL: MODEL,
      ROBBIE_GPU_FIRST_TOKEN_WARM_MS: '700',
      ROBBIE_GPU_QUEUE_PER_IDENTITY: '1'
    })
  })
  base = `${await t.app.listen({ port: 0, host: '127.0.0.1' })}/api/gpu-coordinator`
  fakes = await Promise.all([1, 2].map(async () => await startFakeOllama({ models: [{ name: MODEL, sizeMb: 2000, loaded: true }], tokensPerSecond: 2000 })))
  nodes = []
  for (const [i, fake] of fakes.entries()) nodes.push(await probe(t.app, (await addNode(t.app, fake, `app-${i + 1}`, { maxInflight: 1 })).id))
})
afterAll(async () => { await Promise.all(fakes.map(async (f) => { await f.close() })) })

const chat = (content: string) => ({ model: 'default', messages: [{ role: 'user', content }] })

describe('through createApp and the real mesh', () => {
  it('the ollama client streams a chat; /api/tags lists both nodes', async () => {
    const via = new Ollama({ host: base, headers: await as('member') })
    const parts: string[] = []
    for await (const chunk of await via.chat({ ...chat('hello mesh'), stream: true })) parts.push(chunk.message.content)
    expect(parts.join('')).toBe('You said: hello mesh')
    const tags = await via.list()
    expect(tags.models.map((m) => [m.name, (m as unknown as { robbie: { nodes: string[] } }).robbie.nodes])).toEqual([[MODEL, ['app-1', 'app-2']]])
  })

  it('fails over before the first byte and logs the decision with the real scores', async () => {
    const owner = await as('owner')
    const post = async (body: unknown, headers: Record<string, string> = {}) =>
      await fetch(`${base}/api/chat`, { method: 'POST', headers: { 'content-type': 'application/json', ...owner, 'x-robbie-session': 'conv-failover', ...headers }, body: JSON.stringify(body) })
    // the conversation's first call sets its node (affinity); that node then hangs on the next one
    const prime = await post({ ...chat('prime'), stream: false })
    const first = prime.headers.get('x-robbie-node')!
    await prime.text()
    fakes[nodes.findIndex((n) => n.name === first)]!.failNext({ kind: 'hang' })
    const res = await post(chat('after a hang'), { 'x-request-id': 'req-app-failover' })
    expect(res.status).toBe(200)
    expect(res.headers.get('x-robbie-failovers')).toBe('1')
    const served = res.headers.get('x-robbie-node')
    expect([first, served]).toEqual([first, nodes.find((n) => n.name !== first)!.name])
    expect(await res.text()).toContain('"done":true')
    await vi.waitFor(async () => {
      const { rows } = await t.app.db.query('SELECT chosen, failovers, outcome, candidates FROM decisions WHERE request_id = $1', ['req-app-failover'])
      expect(rows[0]).toMatchObject({ chosen: served, failovers: 1, outcome: 'ok' })
      const candidates = rows[0].candidates as Array<{ node: string, eligible: boolean, reason?: string, components: { warm: number } }>
      expect(candidates.find((c) => c.node === served)).toMatchObject({ eligible: true, components: { warm: 1 } })
      expect(candidates.find((c) => c.node === first)).toMatchObject({ eligible: false, reason: 'excluded' })
    })
  })

  it('refuses what the queue cannot hold with 429 and Retry-After', async () => {
    for (const f of fakes) f.set({ tokensPerSecond: 5 })
    try {
      const member = await as('member')
      // two slots (one per node) run, one call may wait per identity, the fourth is refused
      const results = await Promise.all([1, 2, 3, 4].map(async (i) => {
        const res = await fetch(`${base}/api/generate`, { method: 'POST', headers: { 'content-type': 'application/json', ...member }, body: JSON.stringify({ model: MODEL, prompt: `call ${i}`, stream: false }) })
        return { status: res.status, retryAfter: res.headers.get('retry-after'), body: await res.text() }
      }))
      const refused = results.filter((r) => r.status === 429)
      expect(refused).toHaveLength(1)
      expect(Number(refused[0]!.retryAfter)).toBeGreaterThanOrEqual(1)
      expect(JSON.parse(refused[0]!.body)).toEqual({ error: expect.stringMatching(/^GPU_COORDINATOR_RATE_LIMITED: /) as unknown })
      expect(results.filter((r) => r.status === 200)).toHaveLength(3)
    } finally {
      for (const f of fakes) f.set({ tokensPerSecond: 2000 })
    }
  })

  it('exports the model endpoints\' metrics', async () => {
    const text = (await t.app.inject({ url: '/metrics' })).body
    expect(text).toMatch(/robbie_gpu_requests_total\{[^}]*node="app-\d",model="llama3.2:3b",class="interactive",outcome="ok"[^}]*\} \d+/)
    expect(text).toMatch(/robbie_gpu_failovers_total\{[^}]*\} [1-9]/)
    expect(text).toMatch(/robbie_gpu_ttft_seconds_count\{[^}]*\} [1-9]/)
    expect(text).toMatch(/robbie_gpu_tokens_per_second\{[^}]*node="app-\d",model="llama3.2:3b"[^}]*\} \d/)
    expect(text).toMatch(/robbie_gpu_seconds_total\{[^}]*identity_kind="user"[^}]*\} \d/)
  })
})
