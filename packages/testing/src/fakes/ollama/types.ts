// The fake Ollama node's public types: what a test configures, scripts and reads back.
import type { IncomingHttpHeaders } from 'node:http'

export interface FakeModel {
  /** `llama3.2:3b`; a name without a tag means `:latest`, as in Ollama. */
  name: string
  sizeMb: number
  /** Already in (fake) VRAM at start, never expiring until a keep_alive says otherwise. */
  loaded?: boolean
}

export interface FakeToolCall { function: { name: string, arguments: Record<string, unknown> } }
export interface FakeReply { content: string, tool_calls?: FakeToolCall[] }

export interface RespondRequest {
  path: string
  model: string
  messages?: Array<{ role: string, content: string }>
  prompt?: string
  tools?: unknown[]
  options?: Record<string, unknown>
}

export interface FakeOllamaOptions {
  models: FakeModel[]
  /** Per-stream decode speed; the inter-token gap is 1000 / tokensPerSecond ms. */
  tokensPerSecond: number
  /** Prompt evaluation: time before the first token of each generation. */
  firstTokenDelayMs: number
  /** Time to load a model that is not in memory (reported as load_duration). */
  loadDelayMs: number
  version: string
  /** OLLAMA_NUM_PARALLEL: generations beyond it wait in the node's own queue. */
  parallel: number
  /** Fake VRAM: loading beyond it evicts the least recently used models. */
  memoryMb: number
  /** Record requests in `received` (benchmarks turn it off). */
  record: boolean
  respond?: (req: RespondRequest) => string | FakeReply | Promise<string | FakeReply>
}

/** Faults. `paths` narrows one to those paths; stream faults default to the generation paths. */
export type FakeFault = { paths?: string[] } & (
  | { kind: 'refuse' }
  | { kind: 'status', status: number, message?: string }
  | { kind: 'hang' }
  | { kind: 'die-mid-stream', afterChunks: number }
  | { kind: 'slow', tokensPerSecond: number }
  | { kind: 'stall-after', afterChunks: number }
)

export interface ReceivedRequest {
  method: string
  path: string
  headers: IncomingHttpHeaders
  /** Parsed JSON body; undefined for an empty or unparsable one (see rawBody). */
  body: unknown
  rawBody: string
  at: Date
}
