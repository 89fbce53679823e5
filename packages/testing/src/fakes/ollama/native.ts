// Ollama's own API: /api/version, /api/tags, /api/ps, /api/show, /api/pull, /api/chat, /api/generate.
import { setTimeout as sleep } from 'node:timers/promises'
import { type Ctx, createWriter, ollamaError, sendJson } from './http.js'
import type { Engine } from './engine.js'
import { parseKeepAlive, type ModelStore } from './models.js'
import type { FakeOllamaOptions, RespondRequest } from './types.js'

export interface NativeDeps { options: () => FakeOllamaOptions, store: ModelStore, engine: Engine }

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
export const notFound = (model: string) => `model "${model}" not found, try pulling it first`

/** The parsed body as an object, or an Ollama 400 like the real server's (Go's JSON errors). */
export function objectBody (ctx: Ctx, fail: (ctx: Ctx, status: number, message: string) => void): Record<string, unknown> | undefined {
  if (ctx.parseError !== undefined) { fail(ctx, 400, ctx.parseError); return undefined }
  if (ctx.body === undefined) { fail(ctx, 400, 'missing request body'); return undefined }
  if (!isRecord(ctx.body)) { fail(ctx, 400, 'json: cannot unmarshal into Go value of type api.Request'); return undefined }
  return ctx.body
}

export function numPredict (options: unknown): number | undefined {
  const n = isRecord(options) ? options.num_predict : undefined
  return typeof n === 'number' ? n : undefined
}

export async function handleNative (ctx: Ctx, deps: NativeDeps): Promise<boolean> {
  const { req, path } = ctx
  if (req.method === 'GET' && path === '/api/version') sendJson(ctx, 200, { version: deps.options().version })
  else if (req.method === 'GET' && path === '/api/tags') sendJson(ctx, 200, deps.store.tags())
  else if (req.method === 'GET' && path === '/api/ps') sendJson(ctx, 200, deps.store.ps())
  else if (req.method === 'POST' && path === '/api/show') show(ctx, deps)
  else if (req.method === 'POST' && path === '/api/pull') await pull(ctx, deps)
  else if (req.method === 'POST' && (path === '/api/chat' || path === '/api/generate')) await generation(ctx, deps)
  else return false
  return true
}

function show (ctx: Ctx, deps: NativeDeps) {
  const body = objectBody(ctx, ollamaError)
  if (!body) return
  const name = String(body.model ?? body.name ?? '')
  const model = deps.store.get(name)
  if (!model) { ollamaError(ctx, 404, `model '${name}' not found`); return }
  sendJson(ctx, 200, deps.store.show(model))
}

async function pull (ctx: Ctx, deps: NativeDeps) {
  const body = objectBody(ctx, ollamaError)
  if (!body) return
  const name = String(body.model ?? body.name ?? '')
  if (name === '') { ollamaError(ctx, 400, 'model is required'); return }
  const known = deps.store.get(name)
  const total = (known?.sizeMb ?? 1000) * 1024 * 1024
  deps.store.add(name, known?.sizeMb ?? 1000)
  if (body.stream === false) { await sleep(deps.options().loadDelayMs); sendJson(ctx, 200, { status: 'success' }); return }
  const writer = createWriter(ctx, 200, 'application/x-ndjson')
  const digest = `sha256:${deps.store.get(name)?.digest ?? ''}`
  const lines = [
    { status: 'pulling manifest' },
    { status: `pulling ${digest.slice(7, 19)}`, digest, total, completed: 0 },
    { status: `pulling ${digest.slice(7, 19)}`, digest, total, completed: total },
    { status: 'verifying sha256 digest' },
    { status: 'writing manifest' },
    { status: 'success' }
  ]
  for (const line of lines) await writer.write(`${JSON.stringify(line)}\n`)
  await writer.end()
}

async function generation (ctx: Ctx, deps: NativeDeps) {
  const body = objectBody(ctx, ollamaError)
  if (!body) return
  const chat = ctx.path === '/api/chat'
  const name = typeof body.model === 'string' ? body.model : ''
  if (name === '') { ollamaError(ctx, 400, 'model is required'); return }
  if (chat && body.messages !== undefined && !Array.isArray(body.messages)) {
    ollamaError(ctx, 400, 'json: cannot unmarshal into Go struct field ChatRequest.messages of type []api.Message'); return
  }
  const model = deps.store.get(name)
  if (!model) { ollamaError(ctx, 404, notFound(name)); return }
  const messages = (body.messages ?? []) as RespondRequest['messages']
  const prompt = typeof body.prompt === 'string' ? body.prompt : ''
  const keepAliveMs = parseKeepAlive(body.keep_alive)
  const stamp = () => ({ model: name, created_at: new Date().toISOString() })
  const empty = chat ? { message: { role: 'assistant', content: '' } } : { response: '' }

  // An empty chat or prompt only loads the model (or, with keep_alive 0, unloads it): Ollama's warm-up call.
  if ((chat && messages?.length === 0) || (!chat && prompt === '')) {
    if (keepAliveMs === 0) {
      deps.store.release(model, 0)
      sendJson(ctx, 200, { ...stamp(), ...empty, done_reason: 'unload', done: true })
      return
    }
    await deps.store.acquire(model, ctx.signal)
    deps.store.release(model, keepAliveMs)
    sendJson(ctx, 200, { ...stamp(), ...empty, done_reason: 'load', done: true })
    return
  }

  const stream = body.stream !== false
  const writer = createWriter(ctx, 200, stream ? 'application/x-ndjson' : 'application/json; charset=utf-8')
  const request: RespondRequest = chat
    ? { path: ctx.path, model: name, messages, tools: body.tools as unknown[] | undefined, options: body.options as Record<string, unknown> | undefined }
    : { path: ctx.path, model: name, prompt, options: body.options as Record<string, unknown> | undefined }
  const piece = (text: string) => chat ? { message: { role: 'assistant', content: text } } : { response: text }
  const result = await deps.engine.run({
    model,
    request,
    keepAliveMs,
    numPredict: numPredict(body.options),
    tokensPerSecond: ctx.fault?.kind === 'slow' ? ctx.fault.tokensPerSecond : undefined,
    signal: ctx.signal,
    onToken: async (token) => { if (stream) await writer.write(`${JSON.stringify({ ...stamp(), ...piece(token), done: false })}\n`) }
  })
  const toolCalls = chat && result.toolCalls?.length ? result.toolCalls : undefined
  if (stream && toolCalls) await writer.write(`${JSON.stringify({ ...stamp(), message: { role: 'assistant', content: '', tool_calls: toolCalls }, done: false })}\n`)
  const final = {
    ...stamp(),
    ...(stream ? piece('') : chat ? { message: { role: 'assistant', content: result.content, ...(toolCalls ? { tool_calls: toolCalls } : {}) } } : { response: result.content }),
    done: true,
    done_reason: result.doneReason,
    ...(chat ? {} : { context: Array.from({ length: result.stats.prompt_eval_count + result.stats.eval_count }, (_v, i) => 128000 + i) }),
    ...result.stats
  }
  if (stream) { await writer.write(`${JSON.stringify(final)}\n`); await writer.end() } else await writer.end(JSON.stringify(final))
}
