// The fake Ollama node, driven through the official `ollama` client (and fetch for the OpenAI layer), so what
// services test against is what a real node speaks.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { Ollama, type ChatResponse } from 'ollama'
import { startFakeOllama, type FakeOllama, type StartFakeOllamaOptions } from '../src/index.js'

const MODEL = 'llama3.2:3b'
const fakes: FakeOllama[] = []
afterEach(async () => { await Promise.all(fakes.splice(0).map((f) => f.close())) })

async function start (opts: StartFakeOllamaOptions = {}) {
  const fake = await startFakeOllama({ models: [{ name: MODEL, sizeMb: 2000, loaded: true }, { name: 'qwen2.5:7b', sizeMb: 4700 }], ...opts })
  fakes.push(fake)
  return { fake, client: new Ollama({ host: fake.url }) }
}

const say = (content: string) => [{ role: 'user', content }]

async function collect<T> (stream: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const part of stream) out.push(part)
  return out
}

async function sse (res: Response): Promise<string[]> {
  const text = await res.text()
  return text.split('\n\n').filter(Boolean).map((event) => event.replace(/^data: /, ''))
}

describe('fake ollama: native API through the ollama client', () => {
  it('answers version, list, ps and show like a node', async () => {
    const { client } = await start({ version: '0.9.9' })
    expect(await client.version()).toEqual({ version: '0.9.9' })
    const list = await client.list()
    expect(list.models.map((m) => m.name)).toEqual([MODEL, 'qwen2.5:7b'])
    expect(list.models[0]).toMatchObject({ model: MODEL, size: 2000 * 1024 * 1024, details: { format: 'gguf', family: 'llama', parameter_size: '3B' } })
    expect(list.models[0]?.digest).toMatch(/^[0-9a-f]{64}$/)
    const ps = await client.ps()
    expect(ps.models.map((m) => m.name)).toEqual([MODEL])
    expect(ps.models[0]).toMatchObject({ size_vram: 2000 * 1024 * 1024 })
    expect(Date.parse(String(ps.models[0]?.expires_at))).toBeGreaterThan(Date.now())
    const show = await client.show({ model: MODEL })
    expect(show.capabilities).toContain('tools')
    expect(show.details.family).toBe('llama')
    await expect(client.show({ model: 'nope' })).rejects.toMatchObject({ status_code: 404 })
  })

  it('streams a chat as NDJSON chunks and a final done chunk with stats', async () => {
    const { fake, client } = await start()
    const parts = await collect(await client.chat({ model: MODEL, messages: say('hello there'), stream: true }))
    expect(parts.map((p) => p.message.content).join('')).toBe('You said: hello there')
    expect(parts.slice(0, -1).every((p) => !p.done && p.model === MODEL && p.message.role === 'assistant')).toBe(true)
    const last = parts.at(-1) as ChatResponse
    expect(last).toMatchObject({ done: true, done_reason: 'stop', eval_count: 4, prompt_eval_count: 2 })
    for (const key of ['total_duration', 'load_duration', 'prompt_eval_duration', 'eval_duration'] as const) expect(typeof last[key]).toBe('number')
    expect(fake.received.at(-1)).toMatchObject({ method: 'POST', path: '/api/chat', body: { model: MODEL, stream: true } })
    expect(fake.received.at(-1)?.headers['content-type']).toBe('application/json')
  })

  it('answers one JSON object with stream: false, and streams by default over plain HTTP', async () => {
    const { fake, client } = await start()
    const reply = await client.chat({ model: MODEL, messages: say('one two') })
    expect(reply).toMatchObject({ done: true, done_reason: 'stop', message: { role: 'assistant', content: 'You said: one two' } })
    const res = await fetch(`${fake.url}/api/chat`, { method: 'POST', body: JSON.stringify({ model: MODEL, messages: say('x') }) })
    expect(res.headers.get('content-type')).toBe('application/x-ndjson')
    const lines = (await res.text()).trim().split('\n').map((l) => JSON.parse(l) as { done: boolean })
    expect(lines.map((l) => l.done)).toEqual([false, false, false, true])
  })

  it('generates, caps tokens with num_predict and loads a cold model, which then shows in ps until keep_alive 0', async () => {
    const { fake, client } = await start({ loadDelayMs: 30 })
    const streamed = await collect(await client.generate({ model: 'qwen2.5:7b', prompt: 'why is the sky blue', stream: true }))
    expect(streamed.map((p) => p.response).join('')).toBe('You said: why is the sky blue')
    expect(streamed.at(-1)).toMatchObject({ done: true, done_reason: 'stop' })
    expect(streamed.at(-1)?.load_duration).toBeGreaterThanOrEqual(30_000_000)
    expect(streamed.at(-1)?.context.length).toBeGreaterThan(0)
    expect(fake.loaded()).toContain('qwen2.5:7b')
    const one = await client.generate({ model: 'qwen2.5:7b', prompt: 'probe please', options: { num_predict: 1 }, keep_alive: 0 })
    expect(one).toMatchObject({ response: 'You', eval_count: 1, done_reason: 'length', load_duration: 0 })
    expect((await client.ps()).models.map((m) => m.name)).toEqual([MODEL])
  })

  it('loads or unloads on an empty request, and evicts the least recently used model past memoryMb', async () => {
    const { client } = await start({ memoryMb: 5000 })
    expect(await client.generate({ model: 'qwen2.5:7b', prompt: '' })).toMatchObject({ done: true, done_reason: 'load', response: '' })
    expect((await client.ps()).models.map((m) => m.name)).toEqual(['qwen2.5:7b'])
    expect(await client.chat({ model: 'qwen2.5:7b', messages: [], keep_alive: 0 })).toMatchObject({ done_reason: 'unload' })
    expect((await client.ps()).models).toEqual([])
  })

  it('refuses an unknown model with 404 and bad JSON with 400, in Ollama form', async () => {
    const { fake, client } = await start()
    await expect(client.chat({ model: 'ghost', messages: say('hi') })).rejects.toMatchObject({ status_code: 404, error: 'model "ghost" not found, try pulling it first' })
    const bad = await fetch(`${fake.url}/api/generate`, { method: 'POST', body: '{nope' })
    expect(bad.status).toBe(400)
    expect(await bad.json()).toEqual({ error: expect.any(String) })
    const missing = await fetch(`${fake.url}/api/chat`, { method: 'POST', body: '{}' })
    expect([missing.status, await missing.json()]).toEqual([400, { error: 'model is required' }])
    expect((await fetch(`${fake.url}/api/embed-nothing`)).status).toBe(404)
  })

  it('returns scripted tool calls, streamed and not', async () => {
    const calls = [{ function: { name: 'get_weather', arguments: { city: 'Oslo' } } }]
    const { fake, client } = await start({ respond: (req) => req.tools ? { content: '', tool_calls: calls } : 'plain' })
    const tools = [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }]
    const reply = await client.chat({ model: MODEL, messages: say('weather?'), tools })
    expect(reply.message.tool_calls).toEqual(calls)
    const parts = await collect(await client.chat({ model: MODEL, messages: say('weather?'), tools, stream: true }))
    expect(parts.flatMap((p) => p.message.tool_calls ?? [])).toEqual(calls)
    expect(fake.received.at(-1)?.body).toMatchObject({ tools })
    expect((await client.chat({ model: MODEL, messages: say('x') })).message).toEqual({ role: 'assistant', content: 'plain' })
  })

  it('streams pull progress and adds the model', async () => {
    const { client } = await start()
    const parts = await collect(await client.pull({ model: 'mistral:7b', stream: true }))
    expect(parts[0]?.status).toBe('pulling manifest')
    expect(parts.at(-1)?.status).toBe('success')
    expect((await client.list()).models.map((m) => m.name)).toContain('mistral:7b')
  })

  it('counts a stream whose client aborts, and its generation stops', async () => {
    const { fake, client } = await start({ tokensPerSecond: 20 })
    const stream = await client.chat({ model: MODEL, messages: say('a b c d e f g h i j k l'), stream: true })
    const seen: string[] = []
    await expect((async () => {
      for await (const part of stream) { seen.push(part.message.content); client.abort() }
    })()).rejects.toThrow()
    expect(seen).toEqual(['You'])
    await vi.waitFor(() => { expect(fake.aborted).toBe(1) })
    await vi.waitFor(() => { expect(fake.inflight()).toBe(0) })
  })

  it('queues generations beyond `parallel` inside the node', async () => {
    const { fake, client } = await start({ parallel: 1, tokensPerSecond: 10 })
    const runs = [client.chat({ model: MODEL, messages: say('a b c') }), client.chat({ model: MODEL, messages: say('d e f') })]
    await vi.waitFor(() => { expect([fake.inflight(), fake.queued()]).toEqual([2, 1]) })
    expect((await Promise.all(runs)).map((r) => r.message.content)).toEqual(['You said: a b c', 'You said: d e f'])
    expect(fake.inflight()).toBe(0)
  })
})

describe('fake ollama: OpenAI-compatible layer', () => {
  const post = (url: string, body: unknown) => fetch(`${url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })

  it('lists models', async () => {
    const { fake } = await start()
    const body = await (await fetch(`${fake.url}/v1/models`)).json() as { object: string, data: Array<Record<string, unknown>> }
    expect(body.object).toBe('list')
    expect(body.data[0]).toEqual({ id: MODEL, object: 'model', created: expect.any(Number), owned_by: 'library' })
    expect(await (await fetch(`${fake.url}/v1/models/${encodeURIComponent(MODEL)}`)).json()).toMatchObject({ id: MODEL })
  })

  it('answers a chat.completion, with tool calls and max_tokens', async () => {
    const { fake } = await start({ respond: (req) => req.tools ? { content: '', tool_calls: [{ function: { name: 'f', arguments: { a: 1 } } }] } : 'one two three' })
    const plain = await (await post(fake.url, { model: MODEL, messages: say('hi'), max_tokens: 2 })).json()
    expect(plain).toMatchObject({ object: 'chat.completion', model: MODEL, choices: [{ index: 0, message: { role: 'assistant', content: 'one two' }, finish_reason: 'length' }], usage: { completion_tokens: 2 } })
    const tools = await (await post(fake.url, { model: MODEL, messages: say('hi'), tools: [{ type: 'function', function: { name: 'f' } }] })).json()
    expect(tools).toMatchObject({ choices: [{ finish_reason: 'tool_calls', message: { tool_calls: [{ type: 'function', function: { name: 'f', arguments: '{"a":1}' } }] } }] })
  })

  it('streams SSE chunks and ends with [DONE]', async () => {
    const { fake } = await start()
    const res = await post(fake.url, { model: MODEL, messages: say('sse works'), stream: true, stream_options: { include_usage: true } })
    expect(res.headers.get('content-type')).toBe('text/event-stream')
    const events = await sse(res)
    expect(events.at(-1)).toBe('[DONE]')
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e) as { object: string, choices: Array<{ delta: { content: string }, finish_reason: string | null }>, usage?: unknown })
    expect(chunks.every((c) => c.object === 'chat.completion.chunk')).toBe(true)
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe('You said: sse works')
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe('stop')
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { completion_tokens: 4 } })
  })

  it('errors in OpenAI form', async () => {
    const { fake } = await start()
    const missing = await post(fake.url, { model: 'ghost', messages: say('hi') })
    expect([missing.status, await missing.json()]).toEqual([404, { error: { message: 'model "ghost" not found, try pulling it first', type: 'not_found_error', param: null, code: null } }])
    fake.failNext({ kind: 'status', status: 500 })
    const failed = await post(fake.url, { model: MODEL, messages: say('hi') })
    expect([failed.status, ((await failed.json()) as { error: { type: string } }).error.type]).toEqual([500, 'api_error'])
  })
})

describe('fake ollama: faults and lifecycle', () => {
  it('refuses connections until healed (fail), or resets one request (failNext)', async () => {
    const { fake, client } = await start()
    await fake.fail({ kind: 'refuse' })
    await expect(client.version()).rejects.toMatchObject({ cause: { code: 'ECONNREFUSED' } })
    await fake.heal()
    expect(await client.version()).toEqual({ version: expect.any(String) })
    fake.failNext({ kind: 'refuse' })
    await expect(client.version()).rejects.toThrow(/fetch failed/)
    expect(await client.version()).toEqual({ version: expect.any(String) })
  })

  it('answers a scripted status n times, only on the paths named', async () => {
    const { fake, client } = await start()
    fake.failNext({ kind: 'status', status: 503, message: 'busy', paths: ['/api/chat'] }, 2)
    expect(await client.ps()).toHaveProperty('models')
    await expect(client.chat({ model: MODEL, messages: say('x') })).rejects.toMatchObject({ status_code: 503, error: 'busy' })
    await expect(client.chat({ model: MODEL, messages: say('x') })).rejects.toMatchObject({ status_code: 503 })
    expect((await client.chat({ model: MODEL, messages: say('x') })).done).toBe(true)
  })

  it('hangs without answering, until the client gives up', async () => {
    const { fake } = await start()
    fake.failNext({ kind: 'hang' })
    await expect(fetch(`${fake.url}/api/version`, { signal: AbortSignal.timeout(150) })).rejects.toMatchObject({ name: 'TimeoutError' })
    expect(fake.received.map((r) => r.path)).toEqual(['/api/version'])
  })

  it('dies mid-stream after n chunks, without counting a client abort', async () => {
    // At 20 tok/s the client has read chunk 2 before the cut (a stream error drops chunks not yet read).
    const { fake, client } = await start({ tokensPerSecond: 20 })
    fake.failNext({ kind: 'die-mid-stream', afterChunks: 2 })
    const seen: string[] = []
    const stream = await client.chat({ model: MODEL, messages: say('a b c d'), stream: true })
    await expect((async () => { for await (const p of stream) seen.push(p.message.content) })()).rejects.toThrow()
    expect(seen).toEqual(['You', ' said:'])
    fake.failNext({ kind: 'die-mid-stream', afterChunks: 0 })
    await expect(client.chat({ model: MODEL, messages: say('x'), stream: true })).rejects.toThrow(/fetch failed/)
    expect(fake.aborted).toBe(0)
  })

  it('stalls after n chunks with the socket open', async () => {
    const { fake } = await start()
    await fake.fail({ kind: 'stall-after', afterChunks: 1 })
    const controller = new AbortController()
    const res = await fetch(`${fake.url}/api/generate`, { method: 'POST', body: JSON.stringify({ model: MODEL, prompt: 'a b c' }), signal: controller.signal })
    const reader = (res.body as ReadableStream<Uint8Array>).getReader()
    const first = await reader.read()
    expect(JSON.parse(new TextDecoder().decode(first.value))).toMatchObject({ response: 'You', done: false })
    const next = await Promise.race([reader.read().then(() => 'data'), new Promise((resolve) => setTimeout(resolve, 200, 'silence'))])
    expect(next).toBe('silence')
    expect(fake.inflight()).toBe(1)
    controller.abort()
    await vi.waitFor(() => { expect(fake.aborted).toBe(1) })
  })

  it('slows one generation to the given rate', async () => {
    const { fake, client } = await start({ tokensPerSecond: 10_000 })
    fake.failNext({ kind: 'slow', tokensPerSecond: 20 })
    const slow = await client.generate({ model: MODEL, prompt: 'a b c d' })
    // 6 tokens at 20/s: the last is due 5 gaps of 50 ms after the first.
    expect(slow.eval_duration).toBeGreaterThanOrEqual(250_000_000)
    expect(fake.received.at(-1)?.path).toBe('/api/generate')
  })

  it('kill cuts in-flight streams and refuses; restart serves on the same port with the configured models', async () => {
    const { fake, client } = await start({ tokensPerSecond: 20 })
    await client.generate({ model: 'qwen2.5:7b', prompt: '' })
    const stream = await client.chat({ model: MODEL, messages: say('a b c d e f'), stream: true })
    const reading = (async () => { for await (const p of stream) if (p.message.content === 'You') await fake.kill() })()
    await expect(reading).rejects.toThrow()
    expect(fake.aborted).toBe(0)
    await expect(client.version()).rejects.toMatchObject({ cause: { code: 'ECONNREFUSED' } })
    await fake.restart()
    expect(new URL(fake.url).port).toBe(String(fake.port))
    expect((await client.ps()).models.map((m) => m.name)).toEqual([MODEL])
  })

  it('set() changes the reply script and rate live', async () => {
    const { fake, client } = await start()
    fake.set({ respond: () => 'changed', version: '1.2.3' })
    expect((await client.generate({ model: MODEL, prompt: 'x' })).response).toBe('changed')
    expect(await client.version()).toEqual({ version: '1.2.3' })
  })
})
