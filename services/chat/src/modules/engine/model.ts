// Model calls through the gpu-coordinator with the `ollama` client (SPEC §3, §7.3): one client per call, so
// each carries the user's delegated token, the conversation (node affinity) and its priority class. A custom
// fetch adds our own abort signal (a stop must also cancel a call still waiting in the coordinator's queue,
// before the client has a stream to abort) and reads the routing headers the client does not expose.
import { Ollama, type ChatResponse, type Message, type Tool } from 'ollama'
import { uuidv7 } from '@robbie/contracts'

type ModelFailure = 'no_model' | 'busy' | 'failed'

/** A failed model call, classified: no model connected, the mesh is busy, or anything else. */
export class ModelError extends Error {
  constructor (readonly kind: ModelFailure, message: string, readonly status?: number) { super(message) }
}

export interface CallMeta { requestId: string, node: string | null, model: string | null }

interface ChatCall {
  token: string
  conversationId: string
  model: 'default' | 'fast'
  messages: Message[]
  tools?: Tool[]
  numPredict?: number
  priority: 'interactive' | 'normal' | 'batch'
  signal: AbortSignal
}

const NO_MODEL_CODES = ['GPU_COORDINATOR_NO_NODES', 'GPU_COORDINATOR_MODEL_NOT_FOUND']
const BUSY_CODES = ['GPU_COORDINATOR_QUEUE_FULL', 'GPU_COORDINATOR_QUEUE_TIMEOUT', 'GPU_COORDINATOR_RATE_LIMITED', 'GPU_COORDINATOR_QUOTA_EXCEEDED', 'GPU_COORDINATOR_PREEMPTED']

/** What a thrown error from the client means for the user. */
function classify (err: unknown): ModelError {
  if (err instanceof ModelError) return err
  const e = err as { name?: string, message?: string, status_code?: number, cause?: { code?: string } }
  const message = String(e?.message ?? err)
  const status = e?.name === 'ResponseError' ? e.status_code : undefined
  if (NO_MODEL_CODES.some((c) => message.startsWith(c))) return new ModelError('no_model', message, status)
  if (BUSY_CODES.some((c) => message.startsWith(c)) || status === 429) return new ModelError('busy', message, status)
  // a plain Ollama node answers 404 "model 'x' not found"
  if (status === 404 && /model .*not found/i.test(message)) return new ModelError('no_model', message, status)
  // nothing listens: no coordinator (or node) at all
  if (status === undefined && e?.name === 'TypeError' && /fetch failed/i.test(message)) return new ModelError('no_model', message)
  return new ModelError('failed', message, status)
}

export function createModelClient (opts: { host: string | null, statusTtlMs: number, now?: () => number }) {
  const now = opts.now ?? Date.now
  let status: { available: boolean, at: number } | undefined

  function client (token: string, headers: Record<string, string>, signal: AbortSignal, meta: CallMeta) {
    const fetchWithMeta: typeof fetch = async (input, init) => {
      const res = await fetch(input, { ...init, redirect: 'error', signal: init?.signal ? AbortSignal.any([init.signal, signal]) : signal })
      meta.node = res.headers.get('x-robbie-node') ?? meta.node
      meta.model = res.headers.get('x-robbie-model') ?? meta.model
      meta.requestId = res.headers.get('x-request-id') ?? meta.requestId
      return res
    }
    return new Ollama({ host: opts.host!, fetch: fetchWithMeta, headers: { authorization: `Bearer ${token}`, 'x-request-id': meta.requestId, ...headers } })
  }

  const self = {
    configured: opts.host !== null,

    /** Whether any model answers (GET /api/tags not empty), believed for statusTtlMs. */
    async available (token: () => Promise<string>): Promise<boolean> {
      if (!opts.host) return false
      if (status && now() - status.at < opts.statusTtlMs) return status.available
      let available = false
      try {
        const meta: CallMeta = { requestId: uuidv7(), node: null, model: null }
        const tags = await client(await token(), {}, AbortSignal.timeout(3000), meta).list()
        available = tags.models.length > 0
      } catch {
        available = false
      }
      self.saw(available)
      return available
    },
    /** What a call just showed about availability. */
    saw (available: boolean): void { status = { available, at: now() } },

    /** A streamed chat call; `meta` fills in as the response arrives. Errors are ModelErrors. */
    async chat (call: ChatCall): Promise<{ stream: AsyncIterable<ChatResponse>, meta: CallMeta }> {
      if (!opts.host) throw new ModelError('no_model', 'no model host is configured')
      const meta: CallMeta = { requestId: uuidv7(), node: null, model: null }
      const ollama = client(call.token, { 'x-robbie-session': call.conversationId, 'x-robbie-priority': call.priority }, call.signal, meta)
      try {
        const stream = await ollama.chat({
          model: call.model,
          messages: call.messages,
          stream: true,
          ...(call.tools && call.tools.length > 0 ? { tools: call.tools } : {}),
          ...(call.numPredict ? { options: { num_predict: call.numPredict } } : {})
        })
        return { stream, meta }
      } catch (err) {
        if (call.signal.aborted) throw err
        throw classify(err)
      }
    }
  }
  return self
}
export type ModelClient = ReturnType<typeof createModelClient>
