// The streaming proxy (SPEC §7.2, §7.3): the `ollama` client through the coordinator gets what it gets from a
// node; failover before the first byte; a clear error in the protocol's own form after it; a caller that
// leaves aborts the node's request.
import { once } from 'node:events'
import { request, type IncomingMessage } from 'node:http'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { Ollama } from 'ollama'
import { bearer, buildProxyApp, createTestMesh, MODEL, startNode, type TestNode } from './proxy-helper.js'

const nodes: TestNode[] = [await startNode('node-a'), await startNode('node-b'), await startNode('node-c')]
const [a, b, c] = nodes as [TestNode, TestNode, TestNode]
const { mesh, leases } = createTestMesh(nodes)
const { url } = await buildProxyApp(mesh)
const base = `${url}/api/gpu-coordinator`
afterAll(async () => { for (const n of nodes) await n.fake.close() })
afterEach(async () => { for (const n of nodes) await n.fake.heal() })

const messages = [{ role: 'user', content: 'Tell me about the quarterly numbers' }]
// what differs between two runs of the same generation: clocks
const TIMINGS = ['created_at', 'total_duration', 'load_duration', 'prompt_eval_duration', 'eval_duration']
const strip = (chunk: object) => Object.fromEntries(Object.entries(chunk).filter(([k]) => !TIMINGS.includes(k)))
const post = async (path: string, body: unknown, headers: Record<string, string> = {}, signal?: AbortSignal) =>
  await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...(await bearer('member')), ...headers }, body: JSON.stringify(body), ...(signal ? { signal } : {}) })
const lines = (text: string) => text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>)

describe('the ollama client through the coordinator', () => {
  it('streams a chat exactly as the node does, chunk by chunk', async () => {
    const direct = new Ollama({ host: a.fake.url })
    const via = new Ollama({ host: base, headers: await bearer('member') })
    const fromNode = []
    for await (const chunk of await direct.chat({ model: MODEL, messages, stream: true })) fromNode.push(strip(chunk))
    const fromCoordinator = []
    for await (const chunk of await via.chat({ model: MODEL, messages, stream: true })) fromCoordinator.push(strip(chunk))
    expect(fromNode.length).toBeGreaterThan(3)
    expect(fromCoordinator).toEqual(fromNode)
    expect(fromCoordinator.map((c) => (c.message as { content: string }).content).join('')).toBe('You said: Tell me about the quarterly numbers')
  })

  it('answers a non-streamed chat and generate like the node', async () => {
    const direct = new Ollama({ host: a.fake.url })
    const via = new Ollama({ host: base, headers: await bearer('member') })
    expect(strip(await via.chat({ model: MODEL, messages, stream: false }))).toEqual(strip(await direct.chat({ model: MODEL, messages, stream: false })))
    expect(strip(await via.generate({ model: MODEL, prompt: 'hello there', stream: false }))).toEqual(strip(await direct.generate({ model: MODEL, prompt: 'hello there', stream: false })))
  })

  it('sends the routing headers with the first byte and reports the outcome to the lease', async () => {
    const res = await post('/api/chat', { model: MODEL, messages }, { 'x-request-id': 'req-headers-1' })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('application/x-ndjson')
    expect(res.headers.get('x-robbie-node')).toBe('node-a')
    expect(res.headers.get('x-robbie-model')).toBe(MODEL)
    expect(res.headers.get('x-robbie-queue-ms')).toBe('3')
    expect(res.headers.get('x-robbie-route-score')).toBe('120')
    expect(res.headers.get('x-robbie-failovers')).toBe('0')
    expect(res.headers.get('x-request-id')).toBe('req-headers-1')
    const chunks = lines(await res.text())
    expect(chunks.at(-1)?.done).toBe(true)
    const record = leases.find((l) => l.request.requestId === 'req-headers-1')!
    expect(record.outcome).toBe('succeeded')
    expect(record.result).toMatchObject({ tokensOut: chunks.at(-1)?.eval_count })
    expect(record.result?.tokensPerSecond).toBeGreaterThan(0)
  })
})

describe('failover before the first byte', () => {
  it.each([
    ['refuses connections', async () => { await a.fake.fail({ kind: 'refuse' }) }],
    ['answers 500', async () => { a.fake.failNext({ kind: 'status', status: 500 }) }],
    ['hangs past the first-token timeout', async () => { a.fake.failNext({ kind: 'hang' }) }]
  ])('the first node %s: the second answers, X-Robbie-Failovers: 1', async (_name, fault) => {
    await fault()
    const requestId = `failover-${Math.random()}`
    const res = await post('/api/chat', { model: MODEL, messages }, { 'x-request-id': requestId })
    expect(res.status).toBe(200)
    expect(res.headers.get('x-robbie-node')).toBe('node-b')
    expect(res.headers.get('x-robbie-failovers')).toBe('1')
    const chunks = lines(await res.text())
    expect(chunks.at(-1)?.done).toBe(true)
    expect(chunks.filter((ch) => 'error' in ch)).toEqual([])
    const mine = leases.filter((l) => l.request.requestId === requestId)
    expect(mine.map((l) => [l.node, l.outcome])).toEqual([['node-a', 'failed'], ['node-b', 'succeeded']])
    expect(mine[0]!.result).toMatchObject({ nodeFault: true })
    expect(mine[1]!.request.exclude).toEqual([a.id])
  })

  it('fails over at most twice, then answers 502 GPU_COORDINATOR_NODE_FAILED in Ollama\'s string form', async () => {
    for (const n of nodes) n.fake.failNext({ kind: 'status', status: 503 })
    const res = await post('/api/chat', { model: MODEL, messages })
    expect(res.status).toBe(502)
    const body = await res.json() as { error: string }
    expect(body.error).toMatch(/^GPU_COORDINATOR_NODE_FAILED: /)
    expect(c.fake.received.at(-1)?.path).toBe('/api/chat')
  })

  it('passes a node\'s 4xx to the caller without failover', async () => {
    const before = b.fake.received.length
    a.fake.failNext({ kind: 'status', status: 400, message: 'invalid options' })
    const res = await post('/api/generate', { model: MODEL, prompt: 'hi' })
    expect(res.status).toBe(400)
    expect(await res.json()).toEqual({ error: 'GPU_COORDINATOR_NODE_REJECTED: The node refused the request: invalid options' })
    expect(b.fake.received.length).toBe(before)
  })
})

describe('after the first byte: a clear error, never a retry', () => {
  // tokens far enough apart that each reaches the wire before the fake cuts its connection
  beforeAll(() => { a.fake.set({ tokensPerSecond: 50 }) })
  afterAll(() => { a.fake.set({ tokensPerSecond: 2000 }) })
  const FULL = 'You said: Tell me about the quarterly numbers'

  it('a node that dies mid-stream ends the NDJSON stream with an error line and no done: true', async () => {
    a.fake.failNext({ kind: 'die-mid-stream', afterChunks: 3 })
    const before = b.fake.received.length
    const res = await post('/api/chat', { model: MODEL, messages })
    expect(res.status).toBe(200)
    expect(res.headers.get('x-robbie-node')).toBe('node-a')
    const chunks = lines(await res.text())
    const tokens = chunks.slice(0, -1).map((ch) => (ch.message as { content: string }).content).join('')
    expect(tokens.length).toBeGreaterThan(0)
    expect(FULL.startsWith(tokens) && tokens !== FULL).toBe(true)
    expect(chunks.at(-1)).toEqual({ error: expect.stringMatching(/^GPU_COORDINATOR_NODE_LOST: The node stopped answering: the connection to node-a broke off$/) as unknown })
    expect(chunks.some((ch) => ch.done === true)).toBe(false)
    expect(b.fake.received.length).toBe(before)
  })

  it('the ollama client throws the error line as its message', async () => {
    a.fake.failNext({ kind: 'die-mid-stream', afterChunks: 2 })
    const via = new Ollama({ host: base, headers: await bearer('member') })
    const got: string[] = []
    const run = async () => { for await (const chunk of await via.chat({ model: MODEL, messages, stream: true })) got.push(chunk.message.content) }
    await expect(run()).rejects.toThrow(/^GPU_COORDINATOR_NODE_LOST: /)
    expect(got.length).toBeGreaterThan(0)
    expect(FULL.startsWith(got.join(''))).toBe(true)
  })

  it('a node that stalls ends the stream after the stall limit', async () => {
    a.fake.failNext({ kind: 'stall-after', afterChunks: 2 })
    const chunks = lines(await (await post('/api/generate', { model: MODEL, prompt: 'one two three four' })).text())
    expect(chunks).toHaveLength(3)
    expect(chunks.slice(0, 2).map((ch) => ch.response).join('')).toBe('You said:')
    expect(chunks[2]!.error).toMatch(/^GPU_COORDINATOR_NODE_LOST: The node stopped answering: node-a sent nothing for 400 ms$/)
  })

  it('an OpenAI stream ends with an error event and no [DONE]', async () => {
    a.fake.failNext({ kind: 'die-mid-stream', afterChunks: 3 })
    const res = await post('/v1/chat/completions', { model: MODEL, messages, stream: true })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('text/event-stream')
    const events = (await res.text()).split('\n\n').filter(Boolean)
    expect(events.length).toBeGreaterThan(1)
    expect(events.slice(0, -1).every((e) => e.startsWith('data: {'))).toBe(true)
    expect(events.at(-1)).toMatch(/^event: error\ndata: /)
    const data = JSON.parse(events.at(-1)!.split('\n')[1]!.slice(6)) as { error: { code: string, type: string } }
    expect(data.error).toMatchObject({ code: 'GPU_COORDINATOR_NODE_LOST', type: 'api_error' })
    expect(events.some((e) => e.includes('[DONE]'))).toBe(false)
  })
})

describe('the caller leaving', () => {
  it('aborts the node request', async () => {
    a.fake.set({ tokensPerSecond: 20 })
    try {
      const before = a.fake.aborted
      // node:http rather than fetch: an aborted fetch leaves a fresh, silent connection that holds close() up
      const req = request(`${base}/api/chat`, { method: 'POST', headers: { 'content-type': 'application/json', ...(await bearer('member')), 'x-request-id': 'req-leaves' } })
      req.end(JSON.stringify({ model: MODEL, messages }))
      const [res] = await once(req, 'response') as [IncomingMessage]
      await once(res, 'data')
      req.destroy()
      await vi.waitFor(() => { expect(a.fake.aborted).toBe(before + 1) })
      await vi.waitFor(() => {
        expect(leases.find((l) => l.request.requestId === 'req-leaves')).toMatchObject({ node: 'node-a', outcome: 'failed', result: { nodeFault: false, reason: 'caller_aborted' } })
      })
    } finally {
      a.fake.set({ tokensPerSecond: 2000 })
    }
  })
})

describe('the total limit', () => {
  it('ends a stream with GPU_COORDINATOR_TIMEOUT, and a call still waiting with 504', async () => {
    const slow = await startNode('node-slow', { tokensPerSecond: 4 })
    try {
      const limited = createTestMesh([slow])
      const { url: limitedUrl } = await buildProxyApp(limited.mesh, { env: { ROBBIE_GPU_REQUEST_TIMEOUT_MS: '1000', ROBBIE_GPU_FIRST_TOKEN_WARM_MS: '5000', ROBBIE_GPU_STALL_MS: '5000' } })
      const call = async (body: unknown) => await fetch(`${limitedUrl}/api/gpu-coordinator/api/generate`, { method: 'POST', headers: { 'content-type': 'application/json', ...(await bearer('member')) }, body: JSON.stringify(body) })
      const streamed = lines(await (await call({ model: MODEL, prompt: 'a long answer with many words to stream slowly' })).text())
      expect(streamed.length).toBeGreaterThan(1)
      expect(streamed.at(-1)).toEqual({ error: 'GPU_COORDINATOR_TIMEOUT: The model call took longer than 1 s' })
      expect(streamed.some((l) => l.done === true)).toBe(false)
      slow.fake.failNext({ kind: 'hang' })
      const waited = await call({ model: MODEL, prompt: 'x', stream: false })
      expect(waited.status).toBe(504)
      expect(await waited.json()).toEqual({ error: 'GPU_COORDINATOR_TIMEOUT: The model call took longer than 1 s' })
      expect(limited.leases.map((l) => l.result?.nodeFault)).toEqual([false, false])
    } finally {
      await slow.fake.close()
    }
  })
})
