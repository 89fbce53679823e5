// A service's own credentials from the secrets service (SPEC §5.3, internal resolve): POST
// ${ROBBIE_SECRETS_URL}/internal/secrets/resolve with this service's key. Values stay in process memory for at
// most 300 s and are evicted on secrets.secret.updated.v1 / .deleted.v1 (registerSecretsEviction). This module
// never logs, persists or puts a value in an error message.
import { readFileSync } from 'node:fs'
import type { EventEnvelope } from '@robbie/contracts'
import type { BusRuntime } from './bus-runtime.js'
import { genericError, RobbieError } from './errors.js'
import { createServiceClient, type ServiceClient } from './service-client.js'

export const SECRETS_CACHE_MAX_MS = 300_000
export const SECRETS_EVICTION_TYPES = ['secrets.secret.updated.v1', 'secrets.secret.deleted.v1']

export interface ResolvedSecret { value: string, version: number, expiresAt: string | null }

export interface SecretsClientOptions {
  /** the calling service: names its error codes (`<SERVICE>_UNAVAILABLE`) */
  service: string
  /** ROBBIE_SECRETS_URL */
  secretsUrl: string
  /** ROBBIE_SERVICE_KEY_FILE: the caller's own key, read once at the first call */
  serviceKeyFile: string
  /** when given, the eviction consumer is registered on it right away (else call registerSecretsEviction) */
  bus?: Pick<BusRuntime, 'consume'>
  /** how long a value may be served from memory; at most 300 000 (SPEC §5.3) */
  ttlMs?: number
  timeoutMs?: number
  now?: () => number
}

interface Entry extends ResolvedSecret { until: number }
interface ResolveReply { value: string, version: number, scope: string, scopeId: string, overrideApplied: string | null, expiresAt: string | null }

const keyOf = (service: string, name: string) => `${service}\u0000${name}`

export function createSecretsClient (opts: SecretsClientOptions) {
  const ttlMs = opts.ttlMs ?? SECRETS_CACHE_MAX_MS
  if (!(ttlMs >= 0 && ttlMs <= SECRETS_CACHE_MAX_MS)) throw new Error(`ttlMs must be 0–${SECRETS_CACHE_MAX_MS} (SPEC §5.3: at most 300 s)`)
  const now = opts.now ?? Date.now
  const cache = new Map<string, Entry>()
  const inFlight = new Map<string, Promise<ResolvedSecret>>()
  // Bumped by every eviction: a resolve that started before an eviction must not cache what it fetched.
  let generation = 0
  let http: ServiceClient | undefined
  const unavailable = (why: string) => genericError(opts.service, 'UNAVAILABLE', `Credentials cannot be read: ${why}`, { headers: { 'retry-after': '5' } })

  function client (): ServiceClient {
    http ??= createServiceClient({
      caller: opts.service,
      baseUrl: opts.secretsUrl,
      serviceKey: readFileSync(opts.serviceKeyFile, 'utf8').trim(),
      timeoutMs: opts.timeoutMs ?? 3000
    })
    return http
  }

  async function resolve (service: string, name: string, requestId?: string): Promise<ResolvedSecret> {
    let res: { status: number, body: ResolveReply | { error?: { code?: string } } | null }
    try {
      res = await client().request<ResolveReply>('POST', '/internal/secrets/resolve', { body: { service, name }, ...(requestId ? { requestId } : {}) })
    } catch (err) {
      if (err instanceof RobbieError) throw unavailable('the secrets service is unreachable')
      throw unavailable('the secrets service answered something unreadable')
    }
    if (res.status === 200) {
      const body = res.body as ResolveReply
      if (typeof body?.value !== 'string' || typeof body.version !== 'number') throw unavailable('the secrets service answered something unreadable')
      return { value: body.value, version: body.version, expiresAt: body.expiresAt ?? null }
    }
    const code = (res.body as { error?: { code?: string } } | null)?.error?.code
    // Codes only, never the body text: it is the callee's, and nothing of a value may reach a log line.
    if (res.status === 404) throw genericError(opts.service, 'NOT_FOUND', `No secret ${service}/${name} for this service`)
    if (res.status === 403) throw genericError(opts.service, 'FORBIDDEN', `This service may not read the ${service} namespace`)
    if (code === 'SECRETS_SEALED') throw unavailable('the secrets service is sealed')
    throw unavailable(`the secrets service answered ${res.status}${code ? ` ${code}` : ''}`)
  }

  const self = {
    /** The value this service may use for (service, name): from memory when fresh, else from the secrets service. */
    async get (service: string, name: string, ctx: { requestId?: string } = {}): Promise<ResolvedSecret> {
      const key = keyOf(service, name)
      const hit = cache.get(key)
      if (hit && hit.until > now()) return { value: hit.value, version: hit.version, expiresAt: hit.expiresAt }
      if (hit) cache.delete(key)
      const pending = inFlight.get(key)
      if (pending) return await pending
      const started = generation
      const p = resolve(service, name, ctx.requestId).then((r) => {
        if (started === generation && ttlMs > 0) {
          const expires = r.expiresAt ? Date.parse(r.expiresAt) : Infinity
          cache.set(key, { ...r, until: Math.min(now() + ttlMs, Number.isNaN(expires) ? Infinity : expires) })
        }
        return r
      }).finally(() => { inFlight.delete(key) })
      inFlight.set(key, p)
      return await p
    },
    /** Drops one (service, name) or, without arguments, everything. */
    evict (service?: string, name?: string): void {
      generation++
      if (service === undefined) { cache.clear(); return }
      for (const k of [...cache.keys()]) {
        const [s, n] = k.split('\u0000')
        if (s === service && (name === undefined || n === name)) cache.delete(k)
      }
      if (name === undefined) return
      inFlight.delete(keyOf(service, name))
    },
    /** The eviction step for a secrets event (for a service that already consumes the secrets stream itself). */
    onEvent (event: Pick<EventEnvelope, 'type' | 'data'>): void {
      const data = event.data as { service?: unknown, name?: unknown }
      if (event.type === 'secrets.secret.updated.v1' && typeof data.service === 'string' && typeof data.name === 'string') {
        // any scope: a node or company entry changing can change which level wins
        self.evict(data.service, data.name)
      } else if (SECRETS_EVICTION_TYPES.includes(event.type)) {
        self.evict() // .deleted.v1 carries only the secretId, which a resolve reply does not name: drop all
      }
    },
    /** how many values are held (for tests and metrics; never the values) */
    size: () => cache.size
  }
  if (opts.bus) registerSecretsEviction({ bus: opts.bus }, self)
  return self
}
export type SecretsClient = ReturnType<typeof createSecretsClient>

/**
 * Evicts the client's cache on secrets.secret.updated.v1 / .deleted.v1 through a consumer group named after the
 * service. Register it once per service, before the app is ready. A service that already consumes the secrets
 * stream must call `client.onEvent(event)` from that handler instead: two consumers of one stream in one group
 * would split the stream's events between them, and each acknowledges the types it does not handle unseen.
 * A consumer group hands each event to one replica only; the others keep a value at most ttlMs (≤ 300 s).
 */
export function registerSecretsEviction (app: { bus: Pick<BusRuntime, 'consume'> }, client: Pick<SecretsClient, 'onEvent'>): void {
  app.bus.consume({ streams: ['secrets'], types: SECRETS_EVICTION_TYPES }, async (event) => { client.onEvent(event) })
}
