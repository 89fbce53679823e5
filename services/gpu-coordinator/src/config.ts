// gpu-coordinator's environment: the kit's variables (see @robbie/service-kit config.ts) plus its own, each commented.
// The SPEC §7 numbers are the defaults; tests and benchmarks shorten the intervals and timeouts through these
// variables (the code has no test modes).
import { Type, type Static } from 'typebox'
import { defineConfig } from '@robbie/service-kit'

const ms = (def: number, min = 10) => Type.Integer({ default: def, minimum: min, maximum: 3_600_000 })
const model = Type.Optional(Type.String({ minLength: 1, maxLength: 200 }))

export const configSchema = defineConfig({
  /** JSON array of {name, baseUrl, labels?, maxInflight?, gpu?} registered or updated by name at start (SPEC §7.1) */
  ROBBIE_GPU_NODES: Type.String({ default: '', maxLength: 100_000 }),
  /** allow loopback node URLs (127.0.0.0/8, ::1); npm start turns it on for local runs, off otherwise */
  ROBBIE_GPU_ALLOW_LOOPBACK: Type.Boolean({ default: false }),
  /** the model the alias `default` stands for */
  ROBBIE_GPU_DEFAULT_MODEL: model,
  /** the model the alias `fast` stands for (chat uses it at turbo 8–10) */
  ROBBIE_GPU_FAST_MODEL: model,
  /** poll /api/ps every … */
  ROBBIE_GPU_PS_INTERVAL_MS: ms(5_000),
  /** poll /api/tags every … */
  ROBBIE_GPU_TAGS_INTERVAL_MS: ms(60_000),
  /** one-token probe on a loaded model every … */
  ROBBIE_GPU_PROBE_INTERVAL_MS: ms(30_000),
  /** a node with no successful poll for this long is offline (degraded from a quarter of it: 15 s of 60 s) */
  ROBBIE_GPU_OFFLINE_AFTER_MS: ms(60_000),
  /** breaker: first open period; it doubles after each failed trial, capped at 5 min */
  ROBBIE_GPU_BREAKER_OPEN_MS: ms(30_000),
  /** connect timeout to a node */
  ROBBIE_GPU_CONNECT_TIMEOUT_MS: ms(2_000),
  /** first-token timeout when the model is loaded on the node */
  ROBBIE_GPU_FIRST_TOKEN_WARM_MS: ms(60_000),
  /** first-token timeout when the node must load the model first */
  ROBBIE_GPU_FIRST_TOKEN_COLD_MS: ms(180_000),
  /** after the first byte: this long without a chunk ends the stream with NODE_LOST */
  ROBBIE_GPU_STALL_MS: ms(15_000),
  /** total limit for one model call */
  ROBBIE_GPU_REQUEST_TIMEOUT_MS: ms(600_000),
  /** mesh history sample period */
  ROBBIE_GPU_SAMPLE_INTERVAL_MS: ms(10_000),
  /** limit of one health poll (/api/version, /api/tags, /api/ps) */
  ROBBIE_GPU_POLL_TIMEOUT_MS: ms(5_000),
  /** limit of the one-token probe; a probe slower than 5 s already makes the node degraded */
  ROBBIE_GPU_PROBE_TIMEOUT_MS: ms(15_000),
  /** adding or testing a node: /api/version and /api/tags must both answer within this (SPEC §7.1: 5 s) */
  ROBBIE_GPU_NODE_TEST_TIMEOUT_MS: ms(5_000),
  /** DELETE /nodes/:id waits this long for the node's calls in flight before it removes it */
  ROBBIE_GPU_DRAIN_TIMEOUT_MS: ms(60_000, 0),
  /** admission queue wait limits per class (SPEC §7.2: 30 / 120 / 600 s) → 503 GPU_COORDINATOR_QUEUE_TIMEOUT */
  ROBBIE_GPU_WAIT_INTERACTIVE_MS: ms(30_000),
  ROBBIE_GPU_WAIT_NORMAL_MS: ms(120_000),
  ROBBIE_GPU_WAIT_BATCH_MS: ms(600_000),
  /** admission queue bounds: in total (→ 503 QUEUE_FULL) and per identity (→ 429 RATE_LIMITED) */
  ROBBIE_GPU_QUEUE_MAX: Type.Integer({ default: 256, minimum: 1, maximum: 100_000 }),
  ROBBIE_GPU_QUEUE_PER_IDENTITY: Type.Integer({ default: 16, minimum: 1, maximum: 100_000 })
})
export type Config = Static<typeof configSchema>
