// The bus inside a service: an event committed with its state change reaches a consumer of another service,
// a poison event is dead-lettered, and owners and admins list and replay it over HTTP (SPEC §0.4).
import { describe, expect, it } from 'vitest'
import { withTransaction } from '@robbie/db'
import type { EventEnvelope } from '@robbie/contracts'
import { mintAccessToken, testContext } from '@robbie/testing'
import { buildKitApp } from './helper.js'

const ctx = await testContext('priorities', { ROBBIE_EVENT_RECLAIM_MS: '50' })
let failing = true
const seen: EventEnvelope[] = []
const { app } = await buildKitApp({
  ctx,
  routes: (app) => {
    // priorities consumes its own stream here only to keep the test to one schema; the wiring is the same
    app.bus.consume({ streams: ['priorities'], types: ['priorities.task.created.v1'] }, async (event, client) => {
      if (failing && event.data.poison === true) throw new Error('cannot handle this one')
      await client.query('SELECT 1')
      seen.push(event)
    })
  }
})
const admin = { authorization: `Bearer ${await mintAccessToken({ role: 'admin' })}` }

async function publish (data: Record<string, unknown>): Promise<string> {
  return await withTransaction(app.db, async (client) => {
    const envelope = await app.outbox.add(client, { type: 'priorities.task.created.v1', subject: { type: 'task', id: String(data.n) }, data })
    return envelope.id
  })
}
async function until<T> (probe: () => Promise<T | undefined> | T | undefined, ms = 15_000): Promise<T> {
  const end = Date.now() + ms
  for (;;) {
    const value = await probe()
    if (value !== undefined) return value
    if (Date.now() > end) throw new Error('timed out waiting')
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

describe('events through a service', () => {
  it('delivers an outbox event to the consumer once', async () => {
    const id = await publish({ n: 1 })
    await until(() => seen.find((e) => e.id === id))
    expect(seen.filter((e) => e.id === id)).toHaveLength(1)
    expect((await app.db.query('SELECT 1 FROM consumed_events WHERE event_id = $1', [id])).rowCount).toBe(1)
  })

  it('dead-letters a poison event, lists it to admins only, and replays it', async () => {
    const id = await publish({ n: 2, poison: true })
    const listed = await until(async () => {
      const res = await app.inject({ url: '/api/priorities/admin/dead-letters?limit=10', headers: admin })
      return (res.json() as { items: Array<{ id: string, eventId: string, deliveries: number }> }).items.find((d) => d.eventId === id)
    })
    expect(listed.deliveries).toBe(5)
    const member = { authorization: `Bearer ${await mintAccessToken({ role: 'member' })}` }
    expect((await app.inject({ url: '/api/priorities/admin/dead-letters', headers: member })).statusCode).toBe(403)
    expect((await app.inject({ url: '/api/priorities/admin/dead-letters?cursor=nonsense', headers: admin })).statusCode).toBe(400)
    expect((await app.inject({ url: '/api/priorities/admin/dead-letters?limit=500', headers: admin })).statusCode).toBe(400)
    expect((await app.inject({ method: 'POST', url: '/api/priorities/admin/dead-letters/1-1/replay', headers: admin })).statusCode).toBe(404)

    failing = false
    const replay = await app.inject({ method: 'POST', url: `/api/priorities/admin/dead-letters/${listed.id}/replay`, headers: admin })
    expect([replay.statusCode, replay.json()]).toEqual([202, { replayed: true }])
    await until(() => seen.find((e) => e.id === id))
    const after = await app.inject({ url: '/api/priorities/admin/dead-letters', headers: admin })
    expect(after.json().items.some((d: { eventId: string }) => d.eventId === id)).toBe(false)
    expect(seen.filter((e) => e.id === id)).toHaveLength(1)
  })
})
