// Request context and response helpers shared by the native and OpenAI-compatible handlers.
import type { IncomingMessage, ServerResponse } from 'node:http'
import { once } from 'node:events'
import type { FakeFault } from './types.js'

export interface Ctx {
  req: IncomingMessage
  res: ServerResponse
  path: string
  body: unknown
  /** The JSON parse error, when the body was not JSON. */
  parseError?: string
  fault?: FakeFault
  /** Aborted when the client goes away or the node is killed. */
  signal: AbortSignal
  /** Set before the fake itself breaks the connection, so that it is not counted as a client abort. */
  brokenByServer: boolean
}

/** Thrown to unwind a handler whose connection is gone. */
export class ConnectionGone extends Error {}

export function sendJson (ctx: Ctx, status: number, body: unknown, headers: Record<string, string> = {}) {
  const text = JSON.stringify(body)
  ctx.res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), ...headers })
  ctx.res.end(text)
}

/** Ollama's error shape: `{"error": "<message>"}`. */
export const ollamaError = (ctx: Ctx, status: number, message: string) => sendJson(ctx, status, { error: message })

/** The OpenAI-compatible layer's error shape (Ollama's openai.NewError). */
export function openaiError (ctx: Ctx, status: number, message: string) {
  const type = status === 400 ? 'invalid_request_error' : status === 404 ? 'not_found_error' : 'api_error'
  sendJson(ctx, status, { error: { message, type, param: null, code: null } })
}

export function breakConnection (ctx: Ctx) {
  ctx.brokenByServer = true
  ctx.req.socket.destroy()
}

/** Cut the connection once the chunks already written reached the kernel, so the client can see them first. */
function dieAfterFlush (ctx: Ctx) {
  ctx.brokenByServer = true
  const socket = ctx.req.socket
  const cut = setTimeout(() => socket.destroy(), 100) // a client that does not read would hold the flush forever
  socket.write('', () => { clearTimeout(cut); socket.destroy() })
}

/** Waits until the request is aborted (a hang or a stall): the fake never answers. */
export async function forever (signal: AbortSignal): Promise<never> {
  if (!signal.aborted) await once(signal, 'abort')
  throw new ConnectionGone('aborted')
}

/**
 * Writes a streamed body piece by piece, applying a die-mid-stream or stall-after fault once `afterChunks`
 * pieces went out. Non-streaming replies go through `end` and take those faults before their one piece.
 */
export function createWriter (ctx: Ctx, status: number, contentType: string) {
  let chunks = 0
  let started = false
  async function gate (final: boolean) {
    const fault = ctx.fault
    if (ctx.signal.aborted) throw new ConnectionGone('aborted')
    if (fault?.kind !== 'die-mid-stream' && fault?.kind !== 'stall-after') return
    if (!final && chunks < fault.afterChunks) return
    if (fault.kind === 'die-mid-stream') { dieAfterFlush(ctx); throw new ConnectionGone('died') }
    await forever(ctx.signal)
  }
  function head () {
    if (started) return
    started = true
    ctx.res.writeHead(status, { 'Content-Type': contentType })
    ctx.res.flushHeaders()
  }
  return {
    async write (text: string) {
      // Headers go out with the first piece, as Ollama's do: until then a failure is still a clean status.
      await gate(false)
      head()
      ctx.res.write(text)
      chunks++
    },
    async end (text?: string) {
      if (!started) await gate(true)
      head()
      ctx.res.end(text)
    }
  }
}

export const abortReason = (signal: AbortSignal): Error => signal.reason instanceof Error ? signal.reason : new ConnectionGone('aborted')
