// SPEC §0.4: a poison event goes to `<prefix>dead:<group>` after 5 deliveries; admins list and replay it.
import { cleanRedisPrefix, redisPrefix } from '@robbie/testing'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createConsumer, createDeadLetters, createRedis, publishBatch, type BusRedis } from '../src/index.js'
import {
  GROUP, PRODUCER, redisUrl, addEvents, consumedCount, effectCounts, log, pendingCount, setupDatabase, waitFor
} from './helpers.js'

let env: Awaited<ReturnType<typeof setupDatabase>>
let prefix: string
let r: BusRedis

beforeAll(async () => { env = await setupDatabase() })
afterAll(async () => { await env.close() })
afterEach(async () => { await r.close(); await cleanRedisPrefix(prefix) })

describe('dead letters', () => {
  it('dead-letters an always-failing event after exactly 5 deliveries, and replay redelivers it', async () => {
    prefix = redisPrefix()
    r = createRedis({ url: redisUrl(), prefix })
    await r.ready()
    const stream = r.keys.stream(PRODUCER)
    const ids = await addEvents(env.producerPool, ['poison-1', 'poison-2', 'poison-3'])
    await publishBatch(env.producerPool, r, PRODUCER, 100)

    let broken = true
    const calls = new Map<string, number>()
    const start = () => {
      const c = createConsumer({
        pool: env.consumerPool,
        redis: r,
        group: GROUP,
        streams: [PRODUCER],
        log,
        blockMs: 50,
        reclaimIdleMs: 50,
        handler: async (event, client) => {
          calls.set(event.id, (calls.get(event.id) ?? 0) + 1)
          await client.query('INSERT INTO bus_test_effects (event_id, note) VALUES ($1, $2)', [event.id, 'x'])
          if (broken) throw new Error('boom: the handler is broken\n    at handler (file.ts:1:1)')
        }
      })
      c.start()
      return c
    }
    const dead = createDeadLetters({ redis: r, group: GROUP })
    let c = start()
    await waitFor(async () => (await dead.count()) === 3, 15_000, 'three dead letters')
    await c.stop()

    for (const id of ids) expect(calls.get(id)).toBe(5)
    expect(await pendingCount(r.client, stream, GROUP)).toBe(0)
    expect((await effectCounts(env.consumerPool, ids)).size).toBe(0) // every attempt rolled back
    expect(await consumedCount(env.consumerPool, GROUP, ids)).toBe(0)

    // Newest first, two per page.
    const page1 = await dead.list({ limit: 2 })
    expect(page1.items).toHaveLength(2)
    expect(page1.nextCursor).toBe(page1.items[1]!.id)
    const page2 = await dead.list({ limit: 2, cursor: page1.nextCursor })
    expect(page2.items).toHaveLength(1)
    expect(page2.nextCursor).toBeNull()
    const all = [...page1.items, ...page2.items]
    expect(all.map((d) => d.eventId).sort()).toEqual([...ids].sort())
    for (const d of all) {
      expect(d).toMatchObject({ type: 'priorities.task.created.v1', stream, deliveries: 5 })
      expect(d.lastError).toBe('Error: boom: the handler is broken') // message only, no stack
      expect(Number.isNaN(Date.parse(d.deadAt))).toBe(false)
    }
    await expect(dead.list({ cursor: 'not-a-cursor' })).rejects.toThrow('invalid cursor')

    // Fix the handler, then replay one dead letter: its effect happens once, the others stay dead.
    broken = false
    c = start()
    const target = all.find((d) => d.eventId === ids[0])!
    expect(await dead.replay(target.id)).toBe(true)
    await waitFor(async () => (await effectCounts(env.consumerPool, [ids[0]!])).get(ids[0]!) === 1, 5000, 'replayed effect')
    await waitFor(async () => (await pendingCount(r.client, stream, GROUP)) === 0, 5000, 'ack')
    await c.stop()
    expect(calls.get(ids[0]!)).toBe(6)
    expect(await dead.count()).toBe(2)
    expect(await dead.replay(target.id)).toBe(false) // gone
    expect(await dead.replay('0-1')).toBe(false)
    expect(await consumedCount(env.consumerPool, GROUP, ids)).toBe(1)
  })
})
