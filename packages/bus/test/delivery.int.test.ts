// Delivery guarantees of ARCHITECTURE decision 5: late consumers, exactly-once effects across both crash windows,
// nothing from a rolled-back transaction, and the type filter.
import { cleanRedisPrefix, redisPrefix } from '@robbie/testing'
import { withTransaction, type PoolClient } from '@robbie/db'
import type { EventEnvelope } from '@robbie/contracts'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createConsumer, createRedis, createRelay, publishBatch, type BusRedis, type Consumer } from '../src/index.js'
import {
  GROUP, PRODUCER, redisUrl, addEvents, consumedCount, effectCounts, groupDrained, log, newEvent, outbox, pendingCount,
  setupDatabase, streamEventIds, waitFor
} from './helpers.js'

let env: Awaited<ReturnType<typeof setupDatabase>>
const cleanups: Array<() => Promise<unknown>> = []
let prefix: string

beforeAll(async () => { env = await setupDatabase() })
afterAll(async () => { await env.close() })
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn()
  await cleanRedisPrefix(prefix)
})

async function redis (): Promise<BusRedis> {
  const r = createRedis({ url: redisUrl(), prefix, name: 'bus-test' })
  cleanups.push(() => r.close())
  await r.ready()
  return r
}

/** A consumer whose handler writes one effect row per run and counts its calls. */
function consumer (r: BusRedis, extra: { types?: string[], reclaimIdleMs?: number, consumer?: string, onHandled?: (client: PoolClient) => void } = {}) {
  const calls: string[] = []
  const c: Consumer = createConsumer({
    pool: env.consumerPool,
    redis: r,
    group: GROUP,
    streams: [PRODUCER],
    log,
    blockMs: 100,
    ...(extra.types ? { types: extra.types } : {}),
    ...(extra.reclaimIdleMs ? { reclaimIdleMs: extra.reclaimIdleMs } : {}),
    ...(extra.consumer ? { consumer: extra.consumer } : {}),
    handler: async (event: EventEnvelope, client: PoolClient) => {
      calls.push(event.id)
      await client.query('INSERT INTO bus_test_effects (event_id, note) VALUES ($1, $2)', [event.id, String(event.data.note)])
      extra.onHandled?.(client)
    }
  })
  cleanups.push(() => c.stop())
  return { c, calls }
}

describe('bus delivery', () => {
  it('delivers an event committed while its consumer was stopped once it starts', async () => {
    prefix = redisPrefix()
    const r = await redis()
    const stream = r.keys.stream(PRODUCER)
    // The group exists (the consumer ran before), then the consumer stops.
    const first = consumer(r)
    first.c.start()
    await waitFor(async () => (await r.client.exists(stream)) === 1, 5000, 'group creation')
    await first.c.stop()

    const [id] = await addEvents(env.producerPool, ['late'])
    const relay = createRelay({ pool: env.producerPool, redis: r, producer: PRODUCER, log, pollMs: 50 })
    cleanups.push(() => relay.stop())
    relay.start()
    await waitFor(async () => (await streamEventIds(r.client, stream)).includes(id!), 5000, 'publish')
    expect((await effectCounts(env.consumerPool, [id!])).get(id!)).toBeUndefined()

    const second = consumer(r)
    second.c.start()
    await waitFor(async () => (await effectCounts(env.consumerPool, [id!])).get(id!) === 1, 5000, 'effect')
    await waitFor(async () => (await pendingCount(r.client, stream, GROUP)) === 0, 5000, 'ack')
    expect(second.calls).toEqual([id])
    expect(await consumedCount(env.consumerPool, GROUP, [id!])).toBe(1)
    const { rows } = await env.producerPool.query('SELECT published_at FROM outbox WHERE id = $1', [id])
    expect(rows[0].published_at).toBeInstanceOf(Date)
  })

  it('has one effect when the relay dies between XADD and marking the row published', async () => {
    prefix = redisPrefix()
    const r = await redis()
    const stream = r.keys.stream(PRODUCER)
    const [id] = await addEvents(env.producerPool, ['relay-crash'])
    // The publish step ran, then the mark was lost (the crash window): the next pass publishes the row again.
    expect(await publishBatch(env.producerPool, r, PRODUCER, 100)).toContain('priorities.task.created.v1')
    await env.producerPool.query('UPDATE outbox SET published_at = NULL WHERE id = $1', [id])
    await publishBatch(env.producerPool, r, PRODUCER, 100)
    expect((await streamEventIds(r.client, stream)).filter((x) => x === id)).toHaveLength(2)

    const { c, calls } = consumer(r)
    c.start()
    await waitFor(async () => groupDrained(r.client, stream, GROUP), 5000, 'both entries acked')
    await waitFor(async () => (await effectCounts(env.consumerPool, [id!])).get(id!) === 1, 5000, 'effect')
    await c.stop()
    expect((await effectCounts(env.consumerPool, [id!])).get(id!)).toBe(1)
    expect(calls).toEqual([id])
    expect(await consumedCount(env.consumerPool, GROUP, [id!])).toBe(1)
  })

  it('has one effect when the consumer dies after its commit but before XACK', async () => {
    prefix = redisPrefix()
    const dying = await redis()
    const stream = dying.keys.stream(PRODUCER)
    const [id] = await addEvents(env.producerPool, ['consumer-crash'])
    await publishBatch(env.producerPool, dying, PRODUCER, 100)
    // The handler cuts this consumer's Redis connection: its transaction commits, then the XACK cannot be sent.
    const a = consumer(dying, { consumer: 'a', onHandled: () => dying.client.disconnect() })
    a.c.start()
    await waitFor(async () => (await effectCounts(env.consumerPool, [id!])).get(id!) === 1, 5000, 'first effect')
    await a.c.stop()

    const r = await redis()
    expect(await pendingCount(r.client, stream, GROUP)).toBe(1)
    const b = consumer(r, { consumer: 'b', reclaimIdleMs: 50 })
    b.c.start()
    await waitFor(async () => (await pendingCount(r.client, stream, GROUP)) === 0, 5000, 'reclaimed and acked')
    await b.c.stop()
    expect(a.calls).toEqual([id])
    expect(b.calls).toEqual([]) // the redelivery was a no-op: the inbox row was already there
    expect((await effectCounts(env.consumerPool, [id!])).get(id!)).toBe(1)
    expect(await consumedCount(env.consumerPool, GROUP, [id!])).toBe(1)
  })

  it('publishes nothing from a rolled-back producer transaction', async () => {
    prefix = redisPrefix()
    const r = await redis()
    let id = ''
    await expect(withTransaction(env.producerPool, async (client) => {
      id = (await outbox.add(client, newEvent('rolled-back'))).id
      throw new Error('business rule failed')
    })).rejects.toThrow('business rule failed')
    const { rows } = await env.producerPool.query('SELECT id FROM outbox WHERE id = $1', [id])
    expect(rows).toHaveLength(0)
    await publishBatch(env.producerPool, r, PRODUCER, 1000)
    expect(await streamEventIds(r.client, r.keys.stream(PRODUCER))).not.toContain(id)
  })

  it('acks types the group does not handle without calling the handler or writing the inbox', async () => {
    prefix = redisPrefix()
    const r = await redis()
    const stream = r.keys.stream(PRODUCER)
    const [id] = await addEvents(env.producerPool, ['filtered'])
    await publishBatch(env.producerPool, r, PRODUCER, 100)
    const { c, calls } = consumer(r, { types: ['priorities.task.completed.v1'] })
    c.start()
    await waitFor(async () => groupDrained(r.client, stream, GROUP), 5000, 'filtered ack')
    await c.stop()
    expect(calls).toEqual([])
    expect(await consumedCount(env.consumerPool, GROUP, [id!])).toBe(0)
  })

  it('refuses an event name that breaks the rule or belongs to another producer', async () => {
    await withTransaction(env.producerPool, async (client) => {
      await expect(outbox.add(client, { ...newEvent('x'), type: 'Priorities.Task.Created' })).rejects.toThrow('invalid event type')
      await expect(outbox.add(client, { ...newEvent('x'), type: 'chat.message.created.v1' })).rejects.toThrow('does not belong')
    })
  })
})
