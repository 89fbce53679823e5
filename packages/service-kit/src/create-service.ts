// createService(): Fastify with everything every service needs (CONVENTIONS §1, "@robbie/service-kit"):
// logging with redaction, the request id, AJV that refuses unknown fields, the error model, identity checks,
// Idempotency-Key, Postgres bound to the service schema, Redis, the event bus, health, metrics and OpenAPI.
// A service's app.ts calls it, then registers only its own domain.
import { readFileSync } from 'node:fs'
import Fastify, { LogController, type FastifyInstance, type FastifyReply } from 'fastify'
import { pino } from 'pino'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { uuidv7, schemaOf } from '@robbie/contracts'
import { createPool, type Pool } from '@robbie/db'
import { createOutbox, createRedis, type BusRedis, type Outbox } from '@robbie/bus'
import type { KitConfig } from './config.js'
import { loggerOptions, type LogDestination } from './logger.js'
import { errorBody, installErrorHandling } from './error-handler.js'
import { installAuth } from './auth.js'
import { createAudit, auditRoutes, type Audit } from './audit.js'
import { createTokenVerifier } from './token-verifier.js'
import { createKeyAuthenticator, remoteKeyVerifier, type VerifyApiKey } from './key-verifier.js'
import { createLimiter, installRateLimits, type Limiter } from './rate-limit.js'
import { genericError } from './errors.js'
import { createJobs, type Jobs } from './jobs.js'
import { installInputHygiene } from './input-hygiene.js'
import { installIdempotency } from './idempotency.js'
import { healthRoutes, type ReadinessCheck } from './health.js'
import { createMetrics, metricsRoutes, type Metrics } from './metrics.js'
import { registerOpenApi } from './openapi.js'
import { migrationSources } from './migrations.js'
import { createBusRuntime, deadLetterRoutes, type BusRuntime } from './bus-runtime.js'

declare module 'fastify' {
  interface FastifyInstance {
    serviceName: string
    db: Pool
    redis: BusRedis
    outbox: Outbox
    bus: BusRuntime
    metrics: Metrics
    audit: Audit
    limiter: Limiter
    jobs: Jobs
  }
}

/** What tests (and only composition) may swap: never a branch inside the kit. */
export interface ServiceDeps {
  /** where logs go (default stdout); tests capture them */
  logDestination?: LogDestination
  /** how an API key is verified (default: a call to auth's /internal/auth/keys/verify); auth passes its own */
  verifyApiKey?: VerifyApiKey
}

export interface ServiceOptions {
  name: string
  version?: string
  config: KitConfig
  /** the service's folder: its migrations/ are checked by /readyz */
  serviceDir: string
  readiness?: Record<string, ReadinessCheck>
  deps?: ServiceDeps
}

const REQUEST_ID_RE = /^[A-Za-z0-9._:-]{1,128}$/

export async function createService (opts: ServiceOptions) {
  const { name, config } = opts
  const version = opts.version ?? '0.1.0'
  const logger = pino(loggerOptions({ service: name, instance: config.ROBBIE_INSTANCE, level: config.LOG_LEVEL, pretty: config.LOG_PRETTY }),
    ...(opts.deps?.logDestination ? [opts.deps.logDestination] : []))

  const app = Fastify({
    loggerInstance: logger,
    // nginx sets X-Request-Id; keep a well-formed one, otherwise make our own
    requestIdHeader: false,
    genReqId: (req) => {
      const header = req.headers['x-request-id']
      return typeof header === 'string' && REQUEST_ID_RE.test(header) ? header : uuidv7()
    },
    logController: new LogController({ requestIdLogLabel: 'requestId' }),
    trustProxy: config.ROBBIE_TRUST_PROXY.split(',').map((s) => s.trim()).filter(Boolean),
    bodyLimit: config.ROBBIE_BODY_LIMIT,
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    // errors Fastify answers before routing (a malformed or over-long path parameter): the kit's body too
    frameworkErrors: (err, request, reply) => {
      const coded = genericError(name, 'VALIDATION_FAILED', err.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 'A path parameter is too long' : 'The URL is not valid', { details: [{ path: 'params', rule: 'url' }] })
      void (reply as unknown as FastifyReply).code(400).header('x-request-id', request.id).send(errorBody(coded, request.id))
    },
    ajv: { customOptions: { removeAdditional: false, useDefaults: true, coerceTypes: 'array', allErrors: true } }
  }).withTypeProvider<TypeBoxTypeProvider>() as unknown as FastifyInstance

  // Only JSON is parsed; any other content type is a 415 (SPEC §0.1).
  app.removeContentTypeParser(['text/plain'])
  installInputHygiene(app, name)
  // While closing, answers in flight say `Connection: close`: a keep-alive socket that turns idle after the
  // close began would otherwise hold the server open until its keep-alive timeout.
  let closing = false
  app.addHook('preClose', async () => { closing = true })
  app.addHook('onSend', async (request, reply) => {
    void reply.header('x-request-id', request.id)
    if (closing) void reply.header('connection', 'close')
  })

  const schema = schemaOf(name)
  const pool = createPool({
    connectionString: config.DATABASE_URL,
    schema,
    applicationName: `${name}:${config.ROBBIE_INSTANCE ?? process.pid}`,
    onError: (err) => app.log.warn({ err: { message: err.message, code: (err as { code?: string }).code } }, 'idle postgres connection failed')
  })
  const redis = createRedis({ url: config.REDIS_URL, prefix: config.ROBBIE_REDIS_PREFIX, name })
  const metrics = createMetrics(name)
  const outbox = createOutbox({ producer: name })
  const sources = migrationSources(opts.serviceDir)
  const bus = createBusRuntime({ service: name, pool, redis, log: app.log, metrics, reclaimIdleMs: config.ROBBIE_EVENT_RECLAIM_MS, instance: config.ROBBIE_INSTANCE })

  app.decorate('serviceName', name)
  app.decorate('db', pool)
  app.decorate('redis', redis)
  app.decorate('outbox', outbox)
  app.decorate('bus', bus)
  app.decorate('metrics', metrics)
  const audit = createAudit({ service: name, pool, hmacKeyFile: config.ROBBIE_AUDIT_HMAC_KEY_FILE })
  app.decorate('audit', audit)
  const limiter = createLimiter({
    service: name,
    redis,
    multiplier: config.ROBBIE_RATE_LIMIT_MULTIPLIER,
    onDegraded: (err) => app.log.warn({ err: { message: (err as Error).message } }, 'rate limits fell back to memory: redis unreachable')
  })
  app.decorate('limiter', limiter)
  const jobs = createJobs({ pool, log: app.log, metrics })
  app.decorate('jobs', jobs)

  // Rate limits first: their onRoute hook must see every route registered after it.
  const limitHook = await installRateLimits(app, name, limiter, metrics)
  installErrorHandling(app, name, {
    notFoundOnRequest: limitHook('general'),
    onForbidden: async (request, err) => {
      await audit.recordAlone({ action: 'access.denied', outcome: 'denied', resourceType: 'route', resourceId: `${request.method} ${request.routeOptions.url ?? ''}`, details: { code: err.code } }, request)
        .catch((e: unknown) => { request.log.error({ err: e }, 'audit of a refusal failed') })
    }
  })
  await registerOpenApi(app, name, version)

  const tokens = createTokenVerifier(config.ROBBIE_JWT_KEYS_FILE)
  const keys = createKeyAuthenticator({
    redis,
    verify: opts.deps?.verifyApiKey ?? (config.ROBBIE_AUTH_URL
      ? remoteKeyVerifier({ service: name, authUrl: config.ROBBIE_AUTH_URL, serviceKeyFile: config.ROBBIE_SERVICE_KEY_FILE })
      : async () => { throw genericError(name, 'UNAVAILABLE', 'API keys cannot be checked: ROBBIE_AUTH_URL is not set') })
  })
  const deniedSid = `${config.ROBBIE_REDIS_PREFIX}auth:denied-sid:`
  installAuth(app, name, {
    limiter,
    authenticate: async (credential) => {
      if (credential.startsWith('robbie_')) return await keys.authenticate(credential)
      const identity = await tokens(credential)
      if (identity?.sessionId) {
        // logout, password or role change, disable: the session is on the denylist for the token's lifetime.
        // Redis away: accepted here; privileged routes are fail-closed through their rate-limit class.
        const denied = await redis.client.exists(deniedSid + identity.sessionId).catch(() => 0)
        if (denied === 1) return null
      }
      return identity
    }
  })
  installIdempotency(app, name, pool, config.ROBBIE_AUDIT_HMAC_KEY_FILE ? readFileSync(config.ROBBIE_AUDIT_HMAC_KEY_FILE) : undefined)
  metricsRoutes(app, metrics)
  healthRoutes(app, { service: name, version, pool, redis: redis.client, sources, extra: opts.readiness ?? {} })
  deadLetterRoutes(app, name, bus)
  auditRoutes(app, name, pool)

  // Loops (relay, consumers, housekeeping) start once the app is ready and stop before the pool closes.
  app.addHook('onReady', async () => {
    // Without an offline queue nothing waits for the first connect, so wait here (bounded): a service that
    // comes up with Redis down still starts, and /readyz says what is missing.
    await redis.ready(2000).catch((err: unknown) => { app.log.warn({ err }, 'redis not reachable at start') })
    await keys.start().catch((err: unknown) => { app.log.warn({ err }, 'key revocation hints not subscribed') })
    await bus.start()
    jobs.start()
  })
  app.addHook('onClose', async () => {
    await jobs.stop()
    await bus.stop()
    await keys.stop().catch(() => {})
    limiter.close()
    await redis.close()
    await pool.end()
  })
  return app
}
