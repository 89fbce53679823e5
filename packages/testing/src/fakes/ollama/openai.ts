// Ollama's OpenAI-compatible layer: /v1/models (and /v1/models/:id) and /v1/chat/completions, streamed as
// SSE `data:` lines ending in `data: [DONE]`.
import { randomBytes } from 'node:crypto'
import { type Ctx, createWriter, openaiError, sendJson } from './http.js'
import { notFound, objectBody, type NativeDeps } from './native.js'
import { parseKeepAlive } from './models.js'
import type { FakeToolCall, RespondRequest } from './types.js'

const OWNED_BY = 'library'

function modelsList (deps: NativeDeps) {
  return deps.store.tags().models.map((m) => ({ id: m.name, object: 'model', created: Math.floor(Date.parse(m.modified_at) / 1000), owned_by: OWNED_BY }))
}

const toolCallsOut = (calls: FakeToolCall[], withIndex: boolean) => calls.map((c, index) => ({
  id: `call_${randomBytes(4).toString('hex')}`,
  ...(withIndex ? { index } : {}),
  type: 'function',
  function: { name: c.function.name, arguments: JSON.stringify(c.function.arguments) }
}))

export async function handleOpenAi (ctx: Ctx, deps: NativeDeps): Promise<boolean> {
  const { req, path } = ctx
  if (req.method === 'GET' && path === '/v1/models') sendJson(ctx, 200, { object: 'list', data: modelsList(deps) })
  else if (req.method === 'GET' && path.startsWith('/v1/models/')) {
    const id = decodeURIComponent(path.slice('/v1/models/'.length))
    const found = modelsList(deps).find((m) => m.id === deps.store.get(id)?.name)
    if (found) sendJson(ctx, 200, found)
    else openaiError(ctx, 404, `model "${id}" not found`)
  } else if (req.method === 'POST' && path === '/v1/chat/completions') await completions(ctx, deps)
  else return false
  return true
}

async function completions (ctx: Ctx, deps: NativeDeps) {
  const body = objectBody(ctx, openaiError)
  if (!body) return
  const name = typeof body.model === 'string' ? body.model : ''
  if (!Array.isArray(body.messages) || body.messages.length === 0) { openaiError(ctx, 400, '[] is too short - \'messages\''); return }
  const model = deps.store.get(name)
  if (!model) { openaiError(ctx, 404, notFound(name)); return }
  const id = `chatcmpl-${Math.floor(Math.random() * 1000)}`
  const created = Math.floor(Date.now() / 1000)
  const base = { id, created, model: name, system_fingerprint: 'fp_ollama' }
  const maxTokens = body.max_completion_tokens ?? body.max_tokens
  const options = { ...(typeof body.temperature === 'number' ? { temperature: body.temperature } : {}), ...(typeof maxTokens === 'number' ? { num_predict: maxTokens } : {}) }
  const request: RespondRequest = { path: ctx.path, model: name, messages: body.messages as RespondRequest['messages'], tools: body.tools as unknown[] | undefined, options }
  const stream = body.stream === true
  const writer = createWriter(ctx, 200, stream ? 'text/event-stream' : 'application/json')
  const sse = (data: unknown) => writer.write(`data: ${JSON.stringify(data)}\n\n`)
  const chunk = (delta: Record<string, unknown>, finish: string | null) =>
    ({ ...base, object: 'chat.completion.chunk', choices: [{ index: 0, delta: { role: 'assistant', ...delta }, finish_reason: finish }] })

  const result = await deps.engine.run({
    model,
    request,
    keepAliveMs: parseKeepAlive(body.keep_alive),
    numPredict: typeof maxTokens === 'number' ? maxTokens : undefined,
    tokensPerSecond: ctx.fault?.kind === 'slow' ? ctx.fault.tokensPerSecond : undefined,
    signal: ctx.signal,
    onToken: async (token) => { if (stream) await sse(chunk({ content: token }, null)) }
  })
  const calls = result.toolCalls?.length ? result.toolCalls : undefined
  const finish = calls ? 'tool_calls' : result.doneReason
  const usage = { prompt_tokens: result.stats.prompt_eval_count, completion_tokens: result.stats.eval_count, total_tokens: result.stats.prompt_eval_count + result.stats.eval_count }
  if (!stream) {
    const message = { role: 'assistant', content: result.content, ...(calls ? { tool_calls: toolCallsOut(calls, false) } : {}) }
    await writer.end(JSON.stringify({ ...base, object: 'chat.completion', choices: [{ index: 0, message, finish_reason: finish }], usage }))
    return
  }
  if (calls) await sse(chunk({ content: '', tool_calls: toolCallsOut(calls, true) }, null))
  await sse(chunk({ content: '' }, finish))
  const streamOptions = body.stream_options as { include_usage?: unknown } | undefined
  if (streamOptions?.include_usage === true) await sse({ ...base, object: 'chat.completion.chunk', choices: [], usage })
  await writer.write('data: [DONE]\n\n')
  await writer.end()
}
