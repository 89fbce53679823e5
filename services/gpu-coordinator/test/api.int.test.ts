// The Ollama- and OpenAI-compatible surface (SPEC §7.3, §0.2): listings, the OpenAI completions passed through,
// unknown fields reaching the node unchanged, the request headers, each prefix's own error form, and the
// mesh's refusals with Retry-After.
import { afterAll, describe, expect, it } from 'vitest'
import { Ollama } from 'ollama'
import { generateApiKey } from '@robbie/contracts'
import { RateLimited, QueueFull } from '../src/modules/mesh/mesh.errors.js'
import { OLLAMA_API_VERSION } from '../src/modules/proxy/index.js'
import { bearer, buildProxyApp, createTestMesh, MODEL, startNode, type TestNode } from './proxy-helper.js'

const a = await startNode('node-a', { models: [{ name: MODEL, sizeMb: 2000, loaded: true }, { name: 'qwen3:8b', sizeMb: 5000 }] })
a.models = [MODEL, 'qwen3:8b']
const b: TestNode = { ...(await startNode('node-b')), warm: false }
const { mesh, leases, refuseNext } = createTestMesh([a, b])
const apiKey = generateApiKey('pat').key
const { url } = await buildProxyApp(mesh, {
  verifyApiKey: async (key) => key === apiKey ? { identity: { kind: 'user', id: 'key-user', role: 'member', scopes: ['gpu-coordinator:generate'], keyId: 'k1' }, expiresAt: null } : null
})
const base = `${url}/api/gpu-coordinator`
afterAll(async () => { await a.fake.close(); await b.fake.close() })

const call = async (method: string, path: string, opts: { body?: unknown, headers?: Record<string, string> } = {}) => {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}), ...(await bearer('member')), ...opts.headers },
    ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {})
  })
  const text = await res.text()
  return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text) as Record<string, unknown> }
}
const chat = { model: MODEL, messages: [{ role: 'user', content: 'hello' }], stream: false }

describe('listings', () => {
  it('/api/tags is the union of the nodes\' models with robbie.nodes, readable by the ollama client', async () => {
    const via = new Ollama({ host: base, headers: await bearer('member') })
    const tags = await via.list()
    expect(tags.models.map((m) => [m.name, (m as unknown as { robbie: { nodes: string[] } }).robbie.nodes])).toEqual([[MODEL, ['node-a', 'node-b']], ['qwen3:8b', ['node-a']]])
    expect(tags.models[0]).toMatchObject({ model: MODEL, size: 2000 * 1024 * 1024, digest: 'abc', details: { format: 'gguf', family: 'llama' } })
  })

  it('/api/ps lists each loaded model with its node; /api/version answers the API level', async () => {
    const ps = (await call('GET', '/api/ps')).json() as { models: Array<Record<string, unknown>> }
    expect(ps.models.map((m) => [m.name, m.robbie])).toEqual([[MODEL, { node: 'node-a' }], ['qwen3:8b', { node: 'node-a' }]])
    expect(ps.models[0]).toMatchObject({ expires_at: '2025-01-01T00:05:00.000Z', size_vram: 2000 * 1024 * 1024 })
    expect((await call('GET', '/api/version')).json()).toEqual({ version: OLLAMA_API_VERSION })
  })

  it('/v1/models lists the models in OpenAI\'s shape', async () => {
    expect((await call('GET', '/v1/models')).json()).toEqual({
      object: 'list',
      data: [
        { id: MODEL, object: 'model', created: 1735689600, owned_by: 'library' },
        { id: 'qwen3:8b', object: 'model', created: 1735689600, owned_by: 'library' }
      ]
    })
  })
})

describe('OpenAI-compatible completions', () => {
  const body = { model: MODEL, messages: [{ role: 'user', content: 'status report' }] }
  const strip = (o: Record<string, unknown>) => { const { id: _i, created: _c, ...rest } = o; return rest }

  it('answers whole, as the node does', async () => {
    const res = await call('POST', '/v1/chat/completions', { body })
    expect(res.status).toBe(200)
    expect(res.headers.get('x-robbie-node')).toBe('node-a')
    const direct = await (await fetch(`${a.fake.url}/v1/chat/completions`, { method: 'POST', body: JSON.stringify(body) })).json() as Record<string, unknown>
    expect(strip(res.json())).toEqual(strip(direct))
  })

  it('streams SSE through to [DONE], usage included when asked', async () => {
    const res = await call('POST', '/v1/chat/completions', { body: { ...body, stream: true, stream_options: { include_usage: true } } })
    expect(res.headers.get('content-type')).toBe('text/event-stream')
    const events = res.text.split('\n\n').filter(Boolean)
    expect(events.at(-1)).toBe('data: [DONE]')
    const deltas = events.slice(0, -1).map((e) => JSON.parse(e.slice(6)) as { choices: Array<{ delta: { content: string } }>, usage?: { completion_tokens: number } })
    expect(deltas.map((d) => d.choices[0]?.delta.content ?? '').join('')).toBe('You said: status report')
    expect(deltas.at(-1)?.usage?.completion_tokens).toBe(4)
    expect(leases.at(-1)?.result).toMatchObject({ tokensOut: 4 })
  })
})

describe('what passes through', () => {
  it('unknown fields reach the node unchanged; the alias `default` becomes its model', async () => {
    const before = a.fake.received.length
    const extra = { options: { temperature: 0.2, num_ctx: 8192, mirostat: 2 }, keep_alive: '10m', format: 'json', think: false, some_future_field: { nested: [1, 'two'] } }
    const res = await call('POST', '/api/chat', { body: { ...chat, model: 'default', ...extra } })
    expect(res.status).toBe(200)
    const got = a.fake.received.slice(before).find((r) => r.path === '/api/chat')!
    expect(got.body).toEqual({ ...chat, model: MODEL, ...extra })
    expect(res.headers.get('x-robbie-model')).toBe(MODEL)
  })

  it('a load-only chat (no messages) streams Ollama\'s one document through', async () => {
    const res = await call('POST', '/api/chat', { body: { model: MODEL, messages: [], keep_alive: '30m' }, headers: { 'x-request-id': 'req-load-1' } })
    expect(res.status).toBe(200)
    expect(JSON.parse(res.text)).toMatchObject({ done: true, done_reason: 'load' })
    expect(leases.find((l) => l.request.requestId === 'req-load-1')?.outcome).toBe('succeeded')
  })

  it('the request id goes to the node', async () => {
    const before = a.fake.received.length
    await call('POST', '/api/generate', { body: { model: MODEL, prompt: 'x', stream: false }, headers: { 'x-request-id': 'req-to-node-1' } })
    expect(a.fake.received.slice(before)[0]?.headers['x-request-id']).toBe('req-to-node-1')
  })
})

describe('request headers', () => {
  it('a member\'s API key is normal and may not raise itself; a delegated token of a service may', async () => {
    await call('POST', '/api/chat', { body: chat, headers: { authorization: `Bearer ${apiKey}`, 'x-robbie-priority': 'interactive', 'x-request-id': 'req-prio-1' } })
    expect(leases.find((l) => l.request.requestId === 'req-prio-1')?.request.priority).toBe('normal')
    await call('POST', '/api/chat', { body: chat, headers: { authorization: `Bearer ${apiKey}`, 'x-robbie-priority': 'batch', 'x-request-id': 'req-prio-2' } })
    expect(leases.find((l) => l.request.requestId === 'req-prio-2')?.request.priority).toBe('batch')
    await call('POST', '/api/chat', { body: chat, headers: { ...(await bearer('member', { act: 'svc:chat' })), 'x-robbie-priority': 'interactive', 'x-request-id': 'req-prio-3' } })
    expect(leases.find((l) => l.request.requestId === 'req-prio-3')?.request.priority).toBe('interactive')
  })

  it('passes the session and the required labels to the mesh; bad labels are a 400', async () => {
    await call('POST', '/api/chat', { body: chat, headers: { 'x-robbie-session': 'conv-1', 'x-robbie-require-labels': 'gpu=a100, room=lab', 'x-request-id': 'req-labels-1' } })
    expect(leases.find((l) => l.request.requestId === 'req-labels-1')?.request).toMatchObject({ session: 'conv-1', requireLabels: { gpu: 'a100', room: 'lab' } })
    const bad = await call('POST', '/api/chat', { body: chat, headers: { 'x-robbie-require-labels': 'gpu' } })
    expect(bad.status).toBe(400)
    expect(bad.json().error).toMatch(/^GPU_COORDINATOR_VALIDATION_FAILED: X-Robbie-Require-Labels/)
    const badClass = await call('POST', '/api/chat', { body: chat, headers: { 'x-robbie-priority': 'urgent' } })
    expect(badClass.status).toBe(400)
  })
})

describe('errors in each prefix\'s own form', () => {
  it('Ollama paths answer {"error": "CODE: message"}', async () => {
    const anonymous = await fetch(`${base}/api/tags`)
    expect(anonymous.status).toBe(401)
    expect(await anonymous.json()).toEqual({ error: 'GPU_COORDINATOR_UNAUTHENTICATED: A valid credential is required' })
    const invalid = await call('POST', '/api/chat', { body: { messages: [] } })
    expect(invalid.status).toBe(400)
    expect(invalid.json()).toEqual({ error: 'GPU_COORDINATOR_VALIDATION_FAILED: The request is not valid (body/model: required)' })
    const missing = await call('POST', '/api/chat', { body: { ...chat, model: 'nope:1b' } })
    expect(missing.status).toBe(404)
    expect(missing.json().error).toBe("GPU_COORDINATOR_MODEL_NOT_FOUND: No node has the model 'nope:1b'")
  })

  it('OpenAI paths answer {error: {message, type, code}}', async () => {
    const invalid = await call('POST', '/v1/chat/completions', { body: { model: MODEL, messages: [] } })
    expect(invalid.status).toBe(400)
    expect(invalid.json()).toEqual({ error: { message: 'The request is not valid (body/messages: minItems)', type: 'invalid_request_error', code: 'GPU_COORDINATOR_VALIDATION_FAILED' } })
  })

  it('other paths are 404 GPU_COORDINATOR_UNSUPPORTED_ENDPOINT; a served path with another method 405', async () => {
    for (const [method, path] of [['POST', '/api/pull'], ['POST', '/api/show'], ['DELETE', '/api/delete'], ['POST', '/api/embed'], ['GET', '/api/']]) {
      const res = await call(method!, path!, method === 'GET' || method === 'DELETE' ? {} : { body: { model: MODEL } })
      expect([path, res.status, res.json().error]).toEqual([path, 404, `GPU_COORDINATOR_UNSUPPORTED_ENDPOINT: The coordinator does not serve '/api/gpu-coordinator${path!}'`])
    }
    const v1 = await call('POST', '/v1/embeddings', { body: { model: MODEL, input: 'x' } })
    expect(v1.status).toBe(404)
    expect(v1.json()).toMatchObject({ error: { code: 'GPU_COORDINATOR_UNSUPPORTED_ENDPOINT', type: 'not_found_error' } })
    const wrong = await call('GET', '/api/chat')
    expect(wrong.status).toBe(405)
    expect(wrong.headers.get('allow')).toBe('POST')
    expect(wrong.json().error).toMatch(/^GPU_COORDINATOR_METHOD_NOT_ALLOWED: /)
  })

  it('the mesh\'s 429 and 503 carry Retry-After, in both forms', async () => {
    refuseNext(RateLimited(7))
    const limited = await call('POST', '/api/chat', { body: chat })
    expect([limited.status, limited.headers.get('retry-after')]).toEqual([429, '7'])
    expect(limited.json().error).toMatch(/^GPU_COORDINATOR_RATE_LIMITED: /)
    refuseNext(QueueFull(12))
    const full = await call('POST', '/v1/chat/completions', { body: { model: MODEL, messages: [{ role: 'user', content: 'x' }] } })
    expect([full.status, full.headers.get('retry-after')]).toEqual([503, '12'])
    expect(full.json()).toMatchObject({ error: { code: 'GPU_COORDINATOR_QUEUE_FULL', type: 'api_error' } })
  })
})

describe('documentation', () => {
  it('the OpenAPI document lists the model endpoints', async () => {
    const doc = await (await fetch(`${base}/openapi.json`)).json() as { paths: Record<string, Record<string, unknown>> }
    for (const path of ['/api/chat', '/api/generate', '/api/tags', '/api/ps', '/api/version', '/v1/chat/completions', '/v1/models']) {
      expect(Object.keys(doc.paths)).toContain(`/api/gpu-coordinator${path}`)
    }
    expect(Object.keys(doc.paths['/api/gpu-coordinator/api/chat']!)).toEqual(['post'])
  })
})
