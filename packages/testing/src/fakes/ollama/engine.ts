// Generation: the node's parallel slots (OLLAMA_NUM_PARALLEL, FIFO beyond), model loading, the scripted or
// default reply cut into word tokens, and their timing (first-token delay, then one token every 1/tps s).
import { setTimeout as sleep } from 'node:timers/promises'
import { once } from 'node:events'
import { abortReason } from './http.js'
import type { ModelState, ModelStore } from './models.js'
import type { FakeOllamaOptions, FakeReply, FakeToolCall, RespondRequest } from './types.js'

const NS_PER_MS = 1_000_000

export interface GenerationResult {
  content: string
  toolCalls?: FakeToolCall[]
  doneReason: 'stop' | 'length'
  stats: {
    total_duration: number
    load_duration: number
    prompt_eval_count: number
    prompt_eval_duration: number
    eval_count: number
    eval_duration: number
  }
}

export interface GenerationRun {
  model: ModelState
  request: RespondRequest
  keepAliveMs: number | undefined
  /** Ollama's options.num_predict (OpenAI's max_tokens); ≤ 0 or absent means no cap. */
  numPredict: number | undefined
  tokensPerSecond?: number
  signal: AbortSignal
  /** Called once per token, in order; awaited so that faults and back-pressure hold the stream. */
  onToken: (token: string) => Promise<void>
}

/** The default reply: deterministic, from the last user message (or the prompt). */
export function defaultReply (req: RespondRequest): string {
  const last = req.messages?.filter((m) => m.role === 'user').at(-1)?.content ?? req.prompt ?? ''
  const text = String(last).trim()
  return text === '' ? 'Hello from the fake Ollama node.' : `You said: ${text}`
}

/** Word tokens with their leading space, as a tokenizer streams them ("You", " said:", …). */
export const tokenize = (text: string): string[] => text.match(/\s*\S+/g) ?? []

const countWords = (req: RespondRequest) =>
  tokenize([...(req.messages ?? []).map((m) => String(m.content ?? '')), req.prompt ?? ''].join(' ')).length

export function createEngine (deps: { options: () => FakeOllamaOptions, store: ModelStore }) {
  let running = 0
  let pending = 0
  const waiters: Array<() => void> = []

  async function takeSlot (signal: AbortSignal) {
    if (signal.aborted) throw abortReason(signal)
    if (running < deps.options().parallel) { running++; return }
    let granted = false
    let grant = () => {}
    const turn = new Promise<void>((resolve) => { grant = () => { granted = true; resolve() } })
    waiters.push(grant)
    try {
      await Promise.race([turn, once(signal, 'abort').then(() => { throw abortReason(signal) })])
    } catch (err) {
      // Given up while queued: leave the queue, or pass on a slot handed over at that very moment.
      if (granted) freeSlot()
      else waiters.splice(waiters.indexOf(grant), 1)
      throw err
    }
  }

  function freeSlot () {
    const next = waiters.shift()
    if (next) next()
    else running--
  }

  async function reply (req: RespondRequest): Promise<FakeReply> {
    const scripted = await deps.options().respond?.(req)
    if (scripted === undefined) return { content: defaultReply(req) }
    return typeof scripted === 'string' ? { content: scripted } : scripted
  }

  async function run (g: GenerationRun): Promise<GenerationResult> {
    const started = Date.now()
    pending++
    try {
      await takeSlot(g.signal)
      try {
        return await generate(g, started)
      } finally {
        freeSlot()
      }
    } finally {
      pending--
    }
  }

  async function generate (g: GenerationRun, started: number): Promise<GenerationResult> {
    const opts = deps.options()
    const loadMs = await deps.store.acquire(g.model, g.signal)
    try {
      const answer = await reply(g.request)
      let tokens = tokenize(answer.content)
      const capped = g.numPredict !== undefined && g.numPredict > 0 && tokens.length > g.numPredict
      if (capped) tokens = tokens.slice(0, g.numPredict)
      const tps = g.tokensPerSecond ?? opts.tokensPerSecond
      const gapMs = tps > 0 && Number.isFinite(tps) ? 1000 / tps : 0
      const evalStart = Date.now() + opts.firstTokenDelayMs
      // Each token is due at a fixed offset from the first, so timer lateness does not accumulate.
      for (const [i, token] of tokens.entries()) {
        // a timer may fire a little before Date.now() agrees it is due: never send a token early
        for (let wait = evalStart + i * gapMs - Date.now(); wait > 0; wait = evalStart + i * gapMs - Date.now()) {
          await sleep(wait, undefined, { signal: g.signal })
        }
        await g.onToken(token)
      }
      if (tokens.length === 0 && opts.firstTokenDelayMs > 0) await sleep(opts.firstTokenDelayMs, undefined, { signal: g.signal })
      const now = Date.now()
      return {
        content: tokens.join(''),
        toolCalls: capped ? undefined : answer.tool_calls,
        doneReason: capped ? 'length' : 'stop',
        stats: {
          total_duration: (now - started) * NS_PER_MS,
          load_duration: loadMs * NS_PER_MS,
          prompt_eval_count: countWords(g.request),
          prompt_eval_duration: opts.firstTokenDelayMs * NS_PER_MS,
          eval_count: tokens.length,
          eval_duration: Math.max(0, now - evalStart) * NS_PER_MS
        }
      }
    } finally {
      deps.store.release(g.model, g.keepAliveMs)
    }
  }

  return { run, inflight: () => pending, queued: () => waiters.length }
}

export type Engine = ReturnType<typeof createEngine>
