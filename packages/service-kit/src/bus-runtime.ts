// The bus inside a service: its own relay (outbox → its stream), the consumers it registers, its
// dead-letter stream and the admin routes over it (SPEC §0.4), plus periodic housekeeping.
import type { FastifyBaseLogger, FastifyInstance } from 'fastify'
import { Type } from 'typebox'
import type { EventEnvelope } from '@robbie/contracts'
import { Page, PageQuery, Str } from '@robbie/contracts'
import type { Pool, PoolClient } from '@robbie/db'
import { createConsumer, createDeadLetters, createRelay, InvalidCursorError, type BusRedis } from '@robbie/bus'
import type { Logger } from 'pino'
import { genericError } from './errors.js'
import { purgeIdempotencyKeys } from './idempotency.js'
import type { Metrics } from './metrics.js'

export interface ConsumeOptions {
  /** producers whose streams to read */
  streams: string[]
  /** event types handled; others are acknowledged without a call */
  types?: string[]
}
export type EventHandler = (event: EventEnvelope, client: PoolClient) => Promise<void>

interface Loop { start: () => Promise<void> | void, stop: () => Promise<void> }

export function createBusRuntime (opts: {
  service: string, pool: Pool, redis: BusRedis, log: FastifyBaseLogger, metrics: Metrics, reclaimIdleMs: number, instance?: string
}) {
  const log = opts.log as unknown as Logger
  const loops: Loop[] = []
  const deadLetters = createDeadLetters({ redis: opts.redis, group: opts.service })
  let started = false

  loops.push(createRelay({
    pool: opts.pool,
    redis: opts.redis,
    producer: opts.service,
    log,
    onPublished: (type) => opts.metrics.eventsPublished.inc({ type })
  }))

  // Housekeeping: expired idempotency rows, and the gauges that alerts read.
  let timer: NodeJS.Timeout | undefined
  const housekeeping = async () => {
    try {
      const pending = await opts.pool.query<{ n: string }>('SELECT count(*) AS n FROM outbox WHERE published_at IS NULL')
      opts.metrics.outboxPending.set(Number(pending.rows[0]?.n ?? 0))
      opts.metrics.deadLetters.set(await deadLetters.count())
      if (Math.random() < 1 / 60) await purgeIdempotencyKeys(opts.pool) // about hourly at one run a minute
    } catch (err) {
      log.warn({ err }, 'housekeeping failed')
    }
  }
  loops.push({
    start: () => { timer = setInterval(() => { void housekeeping() }, 60_000); timer.unref() },
    stop: async () => { if (timer) clearInterval(timer) }
  })

  return {
    deadLetters,
    /** Registers a consumer group named after this service; it runs while the app is up. */
    consume (options: ConsumeOptions, handler: EventHandler): void {
      if (started) throw new Error('register consumers before the app is ready')
      loops.push(createConsumer({
        pool: opts.pool,
        redis: opts.redis,
        group: opts.service,
        streams: options.streams,
        types: options.types,
        handler,
        log,
        consumer: opts.instance ?? `${opts.service}-${process.pid}`,
        reclaimIdleMs: opts.reclaimIdleMs,
        onConsumed: (type: string, outcome: string) => opts.metrics.eventsConsumed.inc({ type, outcome })
      }))
    },
    async start () {
      started = true
      for (const loop of loops) await loop.start()
    },
    async stop () {
      // consumers first (they finish the event in hand), then the relay
      for (const loop of [...loops].reverse()) await loop.stop()
    }
  }
}
export type BusRuntime = ReturnType<typeof createBusRuntime>

const DeadLetter = Type.Object({
  id: Type.String(),
  type: Type.String(),
  eventId: Type.String(),
  stream: Type.String(),
  deliveries: Type.Integer(),
  lastError: Type.String(),
  deadAt: Type.String()
}, { additionalProperties: false })

/** A Redis stream id: two unsigned 64-bit numbers (anything larger makes Redis refuse the command). */
const U64_MAX = 18446744073709551615n
export const isStreamId = (id: string): boolean => {
  const m = /^(\d{1,20})-(\d{1,20})$/.exec(id)
  return m !== null && BigInt(m[1]!) <= U64_MAX && BigInt(m[2]!) <= U64_MAX
}

export function deadLetterRoutes (app: FastifyInstance, service: string, bus: BusRuntime): void {
  const base = `/api/${service}/admin/dead-letters`
  app.get(base, {
    config: { roles: ['owner', 'admin'] },
    schema: { tags: ['admin'], summary: 'Events this service could not handle after 5 deliveries', querystring: PageQuery, response: { 200: Page(DeadLetter) } }
  }, async (request) => {
    const q = request.query as { limit: number, cursor?: string }
    try {
      return await bus.deadLetters.list({ limit: q.limit, ...(q.cursor ? { cursor: q.cursor } : {}) })
    } catch (err) {
      if (err instanceof InvalidCursorError) throw genericError(service, 'VALIDATION_FAILED', 'The cursor is not valid', { details: [{ path: 'querystring/cursor', rule: 'cursor' }] })
      throw err
    }
  })
  app.post(`${base}/:id/replay`, {
    config: { roles: ['owner', 'admin'] },
    schema: {
      tags: ['admin'],
      summary: 'Deliver a dead letter again (consumers that already handled it ignore it)',
      params: Type.Object({ id: Str(40, 3) }, { additionalProperties: false }),
      response: { 202: Type.Object({ replayed: Type.Boolean() }, { additionalProperties: false }) }
    }
  }, async (request, reply) => {
    const { id } = request.params as { id: string }
    if (!isStreamId(id) || !(await bus.deadLetters.replay(id))) throw genericError(service, 'NOT_FOUND', 'No such dead letter')
    request.log.info({ deadLetterId: id }, 'dead letter replayed')
    return await reply.code(202).send({ replayed: true })
  })
}
