// After the first byte (SPEC §7.2): the node's answer goes to the caller as it comes, whole lines (NDJSON) or
// whole events (SSE) at a time, so an error written at the end is never glued to half a token, and nothing is
// retried or replayed. A reset, 15 s without a chunk, the total limit or the caller leaving ends it.
import { once } from 'node:events'
import type { ServerResponse } from 'node:http'
import type { FirstByte } from './node-call.js'

export type StreamProtocol = 'ndjson' | 'sse'
export type EndReason = 'ok' | 'node_lost' | 'stalled' | 'caller_aborted' | 'timeout'

export interface Usage { tokensOut: number, evalCount?: number, evalDurationNs?: number }
export interface RelayEnd extends Usage { reason: EndReason }

/** Why the relay or the collector stopped reading, when it was not the node's doing. */
export type StopReason = () => 'caller_aborted' | 'timeout' | null

const DONE_NDJSON = Buffer.from('"done":true')
const DONE_SSE = Buffer.from('data: [DONE]')
const USAGE = Buffer.from('"usage"')

function countByte (buf: Buffer, byte: number): number {
  let n = 0
  for (let i = buf.indexOf(byte); i !== -1; i = buf.indexOf(byte, i + 1)) n++
  return n
}

/** Reads the counters of Ollama's final chunk (`eval_count`, `eval_duration`) or OpenAI's `usage`. */
export function usageOf (json: string): Partial<Usage> {
  try {
    const v = JSON.parse(json) as { eval_count?: unknown, eval_duration?: unknown, usage?: { completion_tokens?: unknown } }
    const out: Partial<Usage> = {}
    if (typeof v.eval_count === 'number') { out.evalCount = v.eval_count; out.tokensOut = v.eval_count }
    if (typeof v.eval_duration === 'number') out.evalDurationNs = v.eval_duration
    if (typeof v.usage?.completion_tokens === 'number') out.tokensOut = v.usage.completion_tokens
    return out
  } catch {
    return {}
  }
}

/** Splits a byte stream at its last delimiter: what is complete goes out, the rest waits for more. */
export function createFramer (delimiter: '\n' | '\n\n') {
  let pending: Buffer | null = null
  return {
    push (chunk: Buffer): Buffer | null {
      const buf = pending ? Buffer.concat([pending, chunk]) : chunk
      const end = buf.lastIndexOf(delimiter)
      if (end < 0) { pending = buf; return null }
      const cut = end + delimiter.length
      pending = cut < buf.length ? buf.subarray(cut) : null
      return cut === buf.length ? buf : buf.subarray(0, cut)
    },
    /** What is left after a clean end: the node's last bytes, complete even without a delimiter. */
    rest (): Buffer | null { const r = pending; pending = null; return r }
  }
}

function watch (answer: FirstByte, stallMs: number, signal: AbortSignal) {
  let stalled = false
  let paused = false
  const timer = setTimeout(function onStall () {
    // the caller being slow to read is not the node being silent
    if (paused) { timer.refresh(); return }
    stalled = true
    answer.res.destroy()
  }, stallMs)
  const onAbort = () => { answer.req.destroy() }
  signal.addEventListener('abort', onAbort, { once: true })
  if (signal.aborted) onAbort()
  return {
    get stalled () { return stalled },
    tick: () => { timer.refresh() },
    pause: (p: boolean) => { paused = p; if (!p) timer.refresh() },
    stop: () => { clearTimeout(timer); signal.removeEventListener('abort', onAbort) }
  }
}

/** Streams the committed answer to `out` (headers already written); ends `out` with `errorText` on failure. */
export async function relayStream (opts: {
  answer: FirstByte
  out: ServerResponse
  protocol: StreamProtocol
  stallMs: number
  signal: AbortSignal
  stopReason: StopReason
  errorText: (reason: Exclude<EndReason, 'ok' | 'caller_aborted'>) => string
}): Promise<RelayEnd> {
  const { answer, out } = opts
  const framer = createFramer(opts.protocol === 'ndjson' ? '\n' : '\n\n')
  const w = watch(answer, opts.stallMs, opts.signal)
  const usage: Usage = { tokensOut: 0 }
  let pieces = 0
  let done = false
  let unterminated = false

  const inspect = (buf: Buffer) => {
    if (opts.protocol === 'ndjson') {
      pieces += countByte(buf, 10)
      if (buf.includes(DONE_NDJSON)) {
        done = true
        const lines = buf.toString('utf8').split('\n')
        Object.assign(usage, usageOf(lines.findLast((l) => l.includes('"done":true')) ?? ''))
      }
    } else {
      pieces += countByte(buf, 10) / 2
      if (buf.includes(USAGE)) {
        const event = buf.toString('utf8').split('\n\n').findLast((e) => e.includes('"usage"'))
        Object.assign(usage, usageOf((event ?? '').replace(/^data: /, '')))
      }
      if (buf.includes(DONE_SSE)) done = true
    }
  }

  let reason: EndReason = 'ok'
  try {
    let chunk: Buffer | undefined = answer.first
    while (chunk !== undefined) {
      w.tick()
      const ready = framer.push(chunk)
      if (ready) {
        inspect(ready)
        if (!out.write(ready)) {
          w.pause(true)
          await once(out, 'drain', { signal: opts.signal })
          w.pause(false)
        }
      }
      const next: IteratorResult<Buffer> = await answer.chunks.next()
      chunk = next.done === true ? undefined : next.value
    }
    // e.g. Ollama's answer to a load-only call: one JSON document without a newline, even when streaming
    const rest = framer.rest()
    if (rest) {
      inspect(rest)
      out.write(rest)
      unterminated = true
    }
    // a clean end without Ollama's done line or OpenAI's [DONE] is a node that stopped short
    if (!done) reason = 'node_lost'
  } catch {
    reason = 'node_lost'
  } finally {
    w.stop()
  }
  const stop = opts.stopReason()
  if (stop) reason = stop
  else if (w.stalled) reason = 'stalled'
  if (usage.tokensOut === 0) usage.tokensOut = Math.max(0, Math.round(pieces) - 1)
  if (reason === 'caller_aborted' || out.destroyed) out.destroy()
  else out.end(reason === 'ok' ? undefined : (unterminated ? (opts.protocol === 'ndjson' ? '\n' : '\n\n') : '') + opts.errorText(reason))
  return { ...usage, reason }
}

/** Reads a non-streamed answer whole (bounded), so that a break before its end is still a clean error status. */
export async function collectBody (opts: { answer: FirstByte, stallMs: number, signal: AbortSignal, maxBytes: number }): Promise<{ body: Buffer, stalled: boolean } | { body: null, stalled: boolean }> {
  const w = watch(opts.answer, opts.stallMs, opts.signal)
  const parts: Buffer[] = [opts.answer.first]
  let size = opts.answer.first.length
  try {
    for (let next = await opts.answer.chunks.next(); next.done !== true; next = await opts.answer.chunks.next()) {
      w.tick()
      size += next.value.length
      if (size > opts.maxBytes) { opts.answer.res.destroy(); return { body: null, stalled: false } }
      parts.push(next.value)
    }
    return { body: Buffer.concat(parts), stalled: false }
  } catch {
    return { body: null, stalled: w.stalled }
  } finally {
    w.stop()
  }
}
