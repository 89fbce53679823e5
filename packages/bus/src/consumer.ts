// A consumer group member (SPEC §0.4): XREADGROUP on its own connection, each entry through the inbox, a periodic
// reclaim of stuck entries, and group (re)creation, also after Redis lost its data (NOGROUP).
import { hostname } from 'node:os'
import type { Pool } from '@robbie/db'
import type { Logger } from 'pino'
import { consumeEntry, type EntryContext, type Handler, type Outcome } from './consume-entry.js'
import { reclaim } from './reclaim.js'
import { closeClient, fieldsToObject, waitReady, type BusRedis } from './redis.js'
import { createWaker, errorMessage } from './waker.js'

export interface ConsumerOptions {
  pool: Pool
  redis: BusRedis
  /** The consuming service's name; also names its dead-letter stream. */
  group: string
  /** Producers whose streams this group reads. */
  streams: string[]
  /** Event types to handle; others are acked unseen. All when omitted. */
  types?: string[]
  handler: Handler
  log: Logger
  consumer?: string
  blockMs?: number
  reclaimIdleMs?: number
  maxDeliveries?: number
  count?: number
  onConsumed?: (type: string, outcome: Outcome | 'dead') => void
}

export function createConsumer (opts: ConsumerOptions) {
  const { redis, group } = opts
  const blockMs = opts.blockMs ?? 1000
  const reclaimIdleMs = opts.reclaimIdleMs ?? 60_000
  const maxDeliveries = opts.maxDeliveries ?? 5
  const count = opts.count ?? 50
  const consumer = opts.consumer ?? `${hostname()}:${process.pid}`
  const streams = opts.streams.map((p) => redis.keys.stream(p))
  const log = opts.log.child({ component: 'bus-consumer', group, consumer })
  const ctx: EntryContext = {
    pool: opts.pool,
    redis,
    group,
    handler: opts.handler,
    ...(opts.types === undefined ? {} : { types: new Set(opts.types) })
  }
  const lastErrors = new Map<string, string>()
  const waker = createWaker()
  let running = false
  let loop: Promise<void> | undefined
  // Blocking reads get their own connection: XREADGROUP BLOCK would stall every other command queued behind it.
  let reader: ReturnType<BusRedis['duplicate']> | undefined

  async function ensureGroups (): Promise<void> {
    for (const stream of streams) {
      try {
        await redis.client.xgroup('CREATE', stream, group, '0', 'MKSTREAM')
      } catch (err) {
        if (!errorMessage(err).includes('BUSYGROUP')) throw err
      }
    }
  }

  async function handle (stream: string, id: string, fields: Record<string, string>): Promise<void> {
    try {
      const { type, outcome } = await consumeEntry(ctx, stream, id, fields)
      lastErrors.delete(`${stream} ${id}`)
      opts.onConsumed?.(type, outcome)
    } catch (err) {
      // Left pending: the reclaim retries it after reclaimIdleMs, or dead-letters it after maxDeliveries.
      if (lastErrors.size > 10_000) lastErrors.clear()
      lastErrors.set(`${stream} ${id}`, errorMessage(err))
      log.warn({ err: errorMessage(err), stream, entryId: id, type: fields.type }, 'event handler failed')
      opts.onConsumed?.(fields.type ?? 'unknown', 'failed')
    }
  }

  async function read (conn: NonNullable<typeof reader>, from: '0' | '>'): Promise<number> {
    const res = await conn.call('xreadgroup', 'GROUP', group, consumer, 'COUNT', count, 'BLOCK', blockMs,
      'STREAMS', ...streams, ...streams.map(() => from)) as Array<[string, Array<[string, string[]]>]> | null
    let n = 0
    for (const [stream, entries] of res ?? []) {
      for (const [id, fields] of entries) {
        n++
        // Entries from our own history whose fields are gone (trimmed) come back as empty: just ack them.
        if (!Array.isArray(fields) || fields.length === 0) { await redis.client.xack(stream, group, id); continue }
        await handle(stream, id, fieldsToObject(fields))
      }
    }
    return n
  }

  async function run (): Promise<void> {
    let groupsReady = false
    let nextReclaimAt = 0
    let failures = 0
    // First our own pending history (entries this consumer name took before a restart), then new entries only.
    let from: '0' | '>' = '0'
    while (running) {
      try {
        if (!reader) reader = redis.duplicate({ name: `${group}:reader`, blockingMs: blockMs })
        if (!groupsReady) {
          await Promise.all([waitReady(reader), redis.ready()])
          await ensureGroups()
          groupsReady = true
        }
        if (Date.now() >= nextReclaimAt) {
          nextReclaimAt = Date.now() + Math.max(10, Math.min(reclaimIdleMs / 2, 30_000))
          const { claimed, dead } = await reclaim({ redis, group, consumer, reclaimIdleMs, maxDeliveries, lastErrors }, streams)
          for (const type of dead) {
            log.error({ type, deliveries: maxDeliveries }, 'event moved to the dead-letter stream')
            opts.onConsumed?.(type, 'dead')
          }
          for (const c of claimed) { if (running) await handle(c.stream, c.id, c.fields) }
        }
        await read(reader, from)
        from = '>'
        failures = 0
      } catch (err) {
        const message = errorMessage(err)
        // NOGROUP: the stream or the group vanished, typically because Redis restarted empty. Recreate and go on.
        if (message.includes('NOGROUP')) { groupsReady = false; log.warn('consumer group missing, recreating'); continue }
        failures++
        log.warn({ err: message, failures }, 'consumer read failed')
        await waker.wait(Math.min(100 * 2 ** failures, 5000))
      }
    }
  }

  return {
    consumer,
    start () {
      if (running) return
      running = true
      loop = run()
    },
    /** Stops reading; the in-flight read (≤ blockMs) and event finish first, then the reader connection closes. */
    async stop () {
      running = false
      waker.wake()
      await loop
      loop = undefined
      if (reader) { await closeClient(reader); reader = undefined }
    }
  }
}
export type Consumer = ReturnType<typeof createConsumer>
