// The seam between the mesh (registry, health, breakers, scoring, admission queue: modules/mesh) and the model
// endpoints that proxy calls to a node (modules/proxy). The proxy asks for a lease, calls the node, and reports
// what happened; the mesh owns every number the routing score and the breakers read.
import type { Identity } from '@robbie/contracts'

export type PriorityClass = 'interactive' | 'normal' | 'batch'
export type NodeStatus = 'healthy' | 'degraded' | 'busy' | 'unhealthy' | 'offline' | 'draining' | 'disabled'
export type BreakerState = 'closed' | 'open' | 'half-open'

/** What a model call needs from the mesh (SPEC §7.2). */
export interface RouteRequest {
  model: string // after alias resolution (`default`, `fast`)
  identity: Identity
  /** The class after the SPEC §7.2 honour rule has been applied by the caller of acquire(). */
  priority: PriorityClass
  session?: string // X-Robbie-Session
  requireLabels?: Record<string, string> // X-Robbie-Require-Labels
  requestId: string
  signal: AbortSignal // the caller went away: leave the queue
  /** Nodes already tried for this request (failover); they are not eligible again. */
  exclude?: string[]
}

export interface CandidateScore {
  node: string
  eligible: boolean
  reason?: string // why not eligible: 'draining', 'breaker-open', 'model-missing', 'too-big', 'labels', 'full', …
  score: number
  components: { warm: number, affinity: number, speed: number, load: number, fit: number, errors: number }
}

/** A granted slot on one node; exactly one of succeeded()/failed() must be called, once. */
export interface Lease {
  nodeId: string
  nodeName: string
  baseUrl: string
  score: number
  queueMs: number
  candidates: CandidateScore[]
  /** Added by the mesh: the model was loaded there when the slot was granted (first-token timeout warm vs cold). */
  warm?: boolean
  /** The call finished well: tokens/s sample for the EWMA, ttft, tokens out, and GPU seconds to charge. */
  succeeded (result: { ttftMs: number | null, tokensOut: number, durationMs: number, tokensPerSecond?: number }): void
  /** The call failed. `nodeFault` counts for the breaker (connect error, timeout, 5xx; not 4xx, not a caller abort). */
  failed (result: { nodeFault: boolean, reason: string, ttftMs?: number | null, tokensOut?: number, durationMs: number }): void
}

export interface Mesh {
  /** Waits in the admission queue; rejects with a coded error (429/503 + retryAfterS, 404 model not found). */
  acquire (req: RouteRequest): Promise<Lease>
  /** Resolves `default` / `fast` and returns the model name, unchanged when it is no alias. */
  resolveModel (model: string): string
  /** Models on eligible nodes, for /api/tags, /api/ps and /v1/models. */
  catalogue (): { models: { name: string, sizeMb: number, nodes: string[], loadedOn: string[], details?: unknown, modifiedAt?: string, digest?: string }[], loaded: { model: string, node: string, sizeMb: number, expiresAt: string | null }[] }
  /** Any node registered and enabled at all (no-model mode when false). */
  hasNodes (): boolean
}
