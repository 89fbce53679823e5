// Configuration is read once, at boot, from the environment, and validated as a whole: a service with a
// bad or missing variable stops before it listens, naming every problem at once (CONVENTIONS §3.6).
import { Type, type Static, type TObject, type TProperties } from 'typebox'
import { Value } from 'typebox/value'

/** What every service reads. Each service extends it with its own variables (`defineConfig`). */
export const kitConfigProperties = {
  /** address to listen on; 0.0.0.0 in containers */
  HOST: Type.String({ default: '127.0.0.1', minLength: 1, maxLength: 255 }),
  /** the service's own port (fleet order, SPEC §11.6) */
  PORT: Type.Integer({ minimum: 0, maximum: 65535 }),
  /** the runtime role's connection string, database and password included */
  DATABASE_URL: Type.String({ pattern: '^postgres(ql)?://', maxLength: 2048 }),
  /** Redis for events, caches and rate limits */
  REDIS_URL: Type.String({ pattern: '^rediss?://', maxLength: 2048 }),
  /** prefix of every Redis key, stream and channel of this fleet */
  ROBBIE_REDIS_PREFIX: Type.String({ default: 'robbie:', pattern: '^[a-z0-9:_-]{1,64}$' }),
  LOG_LEVEL: Type.Union(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)), { default: 'info' }),
  /** human-readable logs in a terminal; JSON otherwise */
  LOG_PRETTY: Type.Boolean({ default: false }),
  /** instance name in logs and consumer names, e.g. chat-1 */
  ROBBIE_INSTANCE: Type.Optional(Type.String({ maxLength: 100, pattern: '^[a-zA-Z0-9._-]+$' })),
  /** addresses whose X-Forwarded-For is believed: the gateway only (SPEC §0.5) */
  ROBBIE_TRUST_PROXY: Type.String({ default: '127.0.0.1', maxLength: 1000 }),
  /** Ed25519 keys of auth's access tokens; services read the public halves */
  ROBBIE_JWT_KEYS_FILE: Type.String({ minLength: 1, maxLength: 4096 }),
  /** this service's own key (robbie_svc_…), for calls to other services */
  ROBBIE_SERVICE_KEY_FILE: Type.String({ minLength: 1, maxLength: 4096 }),
  /** request body limit in bytes (SPEC §0.1: 1 MiB unless the service says otherwise) */
  ROBBIE_BODY_LIMIT: Type.Integer({ default: 1048576, minimum: 1024, maximum: 16 * 1048576 }),
  /** the auth service, which verifies API keys and service keys (SPEC §2.3) */
  ROBBIE_AUTH_URL: Type.Optional(Type.String({ pattern: '^https?://', maxLength: 2048 })),
  /** the audit HMAC key: identifiers of keys and tokens in audit details (SPEC §2.4, §11.6) */
  ROBBIE_AUDIT_HMAC_KEY_FILE: Type.Optional(Type.String({ minLength: 1, maxLength: 4096 })),
  /** multiplies every rate limit of SPEC §0.5: test and bench fleets raise them (and say so) */
  ROBBIE_RATE_LIMIT_MULTIPLIER: Type.Integer({ default: 1, minimum: 1, maximum: 100000 }),
  /** ms a pending event waits before another consumer reclaims it (SPEC §0.4: 60 s) */
  ROBBIE_EVENT_RECLAIM_MS: Type.Integer({ default: 60000, minimum: 10, maximum: 3600000 })
}

export const defineConfig = <P extends TProperties>(own: P) =>
  Type.Object({ ...kitConfigProperties, ...own }, { additionalProperties: true })

export type KitConfig = Static<TObject<typeof kitConfigProperties>>

export class ConfigError extends Error {
  constructor (readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`)
  }
}

/** Validates `env` against `schema`, listing every problem; returns a frozen, typed object. */
export function loadConfig<S extends TObject> (schema: S, env: Record<string, string | undefined>): Readonly<Static<S>> {
  const picked: Record<string, unknown> = {}
  for (const key of Object.keys(schema.properties)) if (env[key] !== undefined && env[key] !== '') picked[key] = env[key]
  const value = Value.Convert(schema, Value.Default(schema, picked))
  const problems = [...Value.Errors(schema, value)].map((e) => {
    const name = e.instancePath.replace(/^\//, '') || String((e.params as { requiredProperties?: string[] }).requiredProperties?.join(', ') ?? '')
    return `${name}: ${e.message}`
  })
  if (problems.length > 0) throw new ConfigError([...new Set(problems)])
  return Object.freeze(value as Static<S>)
}
