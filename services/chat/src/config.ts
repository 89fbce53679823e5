// chat's environment: the kit's variables (see @robbie/service-kit config.ts) plus its own, each commented.
// The SPEC §3.1 numbers are the defaults; tests shorten the timers through these variables (no test modes).
import { Type, type Static } from 'typebox'
import { defineConfig } from '@robbie/service-kit'

const url = () => Type.Optional(Type.String({ pattern: '^https?://', maxLength: 2048 }))
const ms = (def: number, min = 10) => Type.Integer({ default: def, minimum: min, maximum: 3_600_000 })

export const configSchema = defineConfig({
  /** browser origins allowed to open /ws, comma-separated; default the fleet's own http://localhost:<port> and https://localhost:<port+443> */
  ROBBIE_PUBLIC_ORIGINS: Type.Optional(Type.String({ maxLength: 4096 })),
  /** the gateway's HTTP port (npm start sets it), for the default of ROBBIE_PUBLIC_ORIGINS */
  ROBBIE_PORT_BASE: Type.Integer({ default: 3000, minimum: 1, maximum: 65535 }),
  /** the gpu-coordinator; the ollama client's host is <this>/api/gpu-coordinator (SPEC §0.1) */
  ROBBIE_GPU_COORDINATOR_URL: url(),
  /** the full Ollama host instead of the coordinator's (a single node in development, a fake in tests) */
  ROBBIE_OLLAMA_HOST: url(),
  /** the secrets service, for exact-value redaction (POST /internal/secrets/match, SPEC §3.5) */
  ROBBIE_SECRETS_URL: url(),
  /** the priorities service (commands and tools call it with the user's delegated token) */
  ROBBIE_PRIORITIES_URL: url(),
  /** WebSocket: the first frame must be hello within … (SPEC §3.1: 5 s, else close 4408) */
  ROBBIE_CHAT_HELLO_TIMEOUT_MS: ms(5_000),
  /** WebSocket: protocol ping every … (SPEC §3.1: 25 s) */
  ROBBIE_CHAT_PING_MS: ms(25_000),
  /** WebSocket: a socket silent this long is closed (SPEC §3.1: 75 s) */
  ROBBIE_CHAT_IDLE_MS: ms(75_000),
  /** auth.expiring goes out this long before the token or key expires (SPEC §3.1: 60 s) */
  ROBBIE_CHAT_EXPIRING_LEAD_MS: ms(60_000, 0),
  /** session frames and a finished message's deltas stay resumable this long (SPEC §3.1: 10 min) */
  ROBBIE_CHAT_RESUME_MS: ms(600_000, 1000),
  /** POST /api/chat/messages answers 200 within this, else 202 and the answer keeps streaming (SPEC §3.2: 120 s) */
  ROBBIE_CHAT_SYNC_WAIT_MS: ms(120_000, 0),
  /** limit of one model call, tool rounds included */
  ROBBIE_CHAT_MODEL_TIMEOUT_MS: ms(600_000, 1000),
  /** how long /api/tags' answer (is any model connected?) is believed */
  ROBBIE_CHAT_MODEL_STATUS_TTL_MS: ms(10_000, 0)
})
export type Config = Static<typeof configSchema>

/** The Ollama host chat talks to, or null when none is configured (no-model mode). */
export const ollamaHost = (c: Pick<Config, 'ROBBIE_OLLAMA_HOST' | 'ROBBIE_GPU_COORDINATOR_URL'>): string | null =>
  c.ROBBIE_OLLAMA_HOST ?? (c.ROBBIE_GPU_COORDINATOR_URL ? `${c.ROBBIE_GPU_COORDINATOR_URL.replace(/\/$/, '')}/api/gpu-coordinator` : null)

export const publicOrigins = (c: Pick<Config, 'ROBBIE_PUBLIC_ORIGINS' | 'ROBBIE_PORT_BASE'>): string[] =>
  c.ROBBIE_PUBLIC_ORIGINS
    ? c.ROBBIE_PUBLIC_ORIGINS.split(',').map((s) => s.trim().replace(/\/$/, '')).filter(Boolean)
    : [`http://localhost:${c.ROBBIE_PORT_BASE}`, `https://localhost:${c.ROBBIE_PORT_BASE + 443}`]
