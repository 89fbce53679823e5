// The relay: outbox rows → `<prefix>events:<producer>`. It wakes on NOTIFY (a commit) and also polls, because a
// notification can be missed (listen connection lost, relay started after the commit).
import type { Pool, PoolClient } from '@robbie/db'
import type { Logger } from 'pino'
import { outboxChannel } from './outbox.js'
import type { BusRedis } from './redis.js'
import { checkEpoch, publishBatch, pruneOutbox } from './relay-steps.js'
import { createWaker, errorMessage } from './waker.js'

export interface RelayOptions {
  pool: Pool
  redis: BusRedis
  producer: string
  log: Logger
  pollMs?: number
  retentionDays?: number
  epochCheckMs?: number
  batch?: number
  pruneEveryMs?: number
  /** Called once per event written to the stream (the kit counts robbie_events_published_total). */
  onPublished?: (type: string) => void
}

export function createRelay (opts: RelayOptions) {
  const { pool, redis, producer } = opts
  const pollMs = opts.pollMs ?? 250
  const retentionDays = opts.retentionDays ?? 7
  const epochCheckMs = opts.epochCheckMs ?? 10_000
  const batch = opts.batch ?? 100
  const pruneEveryMs = opts.pruneEveryMs ?? 3_600_000
  const log = opts.log.child({ component: 'bus-relay', producer })
  const waker = createWaker()
  let running = false
  let loop: Promise<void> | undefined
  let listener: PoolClient | undefined
  let nextEpochAt = 0
  let nextPruneAt = 0

  async function listen (): Promise<void> {
    const client = await pool.connect()
    client.on('notification', () => waker.wake())
    client.on('error', (err) => {
      // The connection is gone: drop it; the loop keeps polling and listens again on its next round.
      log.warn({ err: errorMessage(err) }, 'relay listen connection lost')
      if (listener === client) { listener = undefined; client.release(true) }
    })
    const { rows } = await client.query<{ schema: string }>('SELECT current_schema() AS schema')
    await client.query(`LISTEN ${client.escapeIdentifier(outboxChannel(rows[0]?.schema ?? 'public'))}`)
    listener = client
  }

  async function round (): Promise<void> {
    if (!listener) await listen().catch((err) => log.warn({ err: errorMessage(err) }, 'relay listen failed'))
    const now = Date.now()
    // The epoch check runs before publishing, so after a Redis loss the re-publish starts in the same round.
    if (now >= nextEpochAt) {
      const requeued = await checkEpoch(pool, redis, retentionDays)
      nextEpochAt = now + epochCheckMs
      if (requeued > 0) log.warn({ requeued }, 'redis lost its data, re-publishing outbox')
    }
    if (now >= nextPruneAt) {
      nextPruneAt = now + pruneEveryMs
      const pruned = await pruneOutbox(pool, retentionDays)
      if (pruned > 0) log.info({ pruned }, 'outbox pruned')
    }
    for (;;) {
      const types = await publishBatch(pool, redis, producer, batch)
      for (const type of types) opts.onPublished?.(type)
      // A full batch means more may be waiting; stop() still lets this batch finish.
      if (types.length < batch || !running) break
    }
  }

  async function run (): Promise<void> {
    let failures = 0
    while (running) {
      try {
        await round()
        failures = 0
      } catch (err) {
        failures++
        log.warn({ err: errorMessage(err), failures }, 'relay round failed')
      }
      if (running) await waker.wait(failures === 0 ? pollMs : Math.min(pollMs * 2 ** failures, 5000))
    }
  }

  return {
    start () {
      if (running) return
      running = true
      nextEpochAt = 0
      loop = run()
    },
    /** Stops polling; an in-flight batch finishes (and commits) before this resolves. */
    async stop () {
      running = false
      waker.wake()
      await loop
      loop = undefined
      const client = listener
      listener = undefined
      if (client) {
        await client.query('UNLISTEN *').catch(() => {})
        client.release()
      }
    }
  }
}
export type Relay = ReturnType<typeof createRelay>
