// SPEC §0.4 "Redis loss": a PRIVATE redis-server restarted empty loses no event. Only that server is stopped.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createConsumer, createRedis, createRelay } from '../src/index.js'
import {
  GROUP, PRODUCER, addEvents, consumedCount, effectCounts, freePort, log, setupDatabase, startPrivateRedis,
  streamEventIds, waitFor
} from './helpers.js'

let env: Awaited<ReturnType<typeof setupDatabase>>
beforeAll(async () => { env = await setupDatabase() })
afterAll(async () => { await env.close() })

describe('redis loss', () => {
  it('re-publishes from the outbox and recreates the group after Redis restarts empty', async () => {
    const port = await freePort()
    let server = await startPrivateRedis(port)
    const prefix = 'test:bus-loss:'
    const r = createRedis({ url: server.url, prefix })
    const relay = createRelay({ pool: env.producerPool, redis: r, producer: PRODUCER, log, pollMs: 50, epochCheckMs: 200 })
    const handled: string[] = []
    const consumer = createConsumer({
      pool: env.consumerPool,
      redis: r,
      group: GROUP,
      streams: [PRODUCER],
      log,
      blockMs: 100,
      reclaimIdleMs: 1000,
      handler: async (event, client) => {
        handled.push(event.id)
        await client.query('INSERT INTO bus_test_effects (event_id, note) VALUES ($1, $2)', [event.id, 'loss'])
      }
    })
    const allOnce = (ids: string[]) => async () => {
      const counts = await effectCounts(env.consumerPool, ids)
      return ids.every((id) => counts.get(id) === 1)
    }
    try {
      await r.ready()
      relay.start()
      consumer.start()
      const phase1 = await addEvents(env.producerPool, ['p1-a', 'p1-b', 'p1-c', 'p1-d', 'p1-e'])
      await waitFor(allOnce(phase1), 10_000, 'phase 1 effects')

      // Published but not consumed when Redis dies: only the outbox still has them.
      await consumer.stop()
      const phase2 = await addEvents(env.producerPool, ['p2-a', 'p2-b', 'p2-c', 'p2-d', 'p2-e'])
      await waitFor(async () => (await streamEventIds(r.client, r.keys.stream(PRODUCER))).length === 10, 5000, 'phase 2 published')

      await server.stop()
      // Committed while Redis is down: the relay cannot publish them yet.
      const phase3 = await addEvents(env.producerPool, ['p3-a', 'p3-b', 'p3-c', 'p3-d', 'p3-e'])
      server = await startPrivateRedis(port) // empty: --save '' --appendonly no
      consumer.start()
      const all = [...phase1, ...phase2, ...phase3]
      await waitFor(allOnce(all), 20_000, 'every effect after the first restart')

      // Second loss while the consumer is running: its reads hit NOGROUP and it recreates the group.
      await server.stop()
      server = await startPrivateRedis(port)
      const phase4 = await addEvents(env.producerPool, ['p4-a', 'p4-b', 'p4-c'])
      await waitFor(allOnce([...all, ...phase4]), 20_000, 'every effect after the second restart')
      // The relay re-published the old rows into the new, empty Redis (its epoch check saw the new value).
      await waitFor(async () => {
        const streamed = new Set(await streamEventIds(r.client, r.keys.stream(PRODUCER)))
        return [...all, ...phase4].every((id) => streamed.has(id))
      }, 10_000, 're-published stream')
      await consumer.stop()

      const counts = await effectCounts(env.consumerPool, [...all, ...phase4])
      expect([...counts.values()].every((n) => n === 1)).toBe(true)
      expect(counts.size).toBe(18)
      expect(await consumedCount(env.consumerPool, GROUP, [...all, ...phase4])).toBe(18)
      expect(new Set(handled).size).toBe(18)
      expect(handled).toHaveLength(18) // re-published duplicates never reached the handler
    } finally {
      await consumer.stop()
      await relay.stop()
      await r.close()
      await server.stop()
    }
  })
})
