// ARCHITECTURE decision 4 enforced by Postgres: a service's roles reach only its own schema.
import { afterAll, describe, expect, it } from 'vitest'
import pg from 'pg'
import { cloneDatabase } from '@robbie/testing'

const db = await cloneDatabase()
afterAll(async () => { await db.drop() })

async function as (url: string, sql: string): Promise<{ ok: boolean, code?: string }> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    await client.query(sql)
    return { ok: true }
  } catch (err) {
    return { ok: false, code: (err as { code?: string }).code }
  } finally {
    await client.end()
  }
}

describe('schema isolation', () => {
  it("a runtime role can neither read nor write another service's schema", async () => {
    const chat = db.urlFor('chat')
    expect(await as(chat, 'SELECT count(*) FROM chat.outbox')).toEqual({ ok: true })
    expect(await as(chat, 'SELECT count(*) FROM auth.outbox')).toEqual({ ok: false, code: '42501' })
    expect(await as(chat, "INSERT INTO secrets.outbox (id, type, envelope) VALUES (gen_random_uuid(), 'x.y.z.v1', '{}')")).toEqual({ ok: false, code: '42501' })
    expect(await as(chat, 'DELETE FROM integration_sync.idempotency_keys')).toEqual({ ok: false, code: '42501' })
  })

  it('a runtime role may use rows in its own schema but never change its structure', async () => {
    const chat = db.urlFor('chat')
    expect(await as(chat, "INSERT INTO chat.bus_state (key, value, updated_at) VALUES ('t', 'v', now())")).toEqual({ ok: true })
    expect(await as(chat, 'CREATE TABLE chat.sneaky (id int)')).toEqual({ ok: false, code: '42501' })
    expect(await as(chat, 'DROP TABLE chat.outbox')).toEqual({ ok: false, code: '42501' })
    expect(await as(chat, 'CREATE TABLE public.sneaky (id int)')).toEqual({ ok: false, code: '42501' })
  })

  it("a schema owner cannot reach into another service's schema either", async () => {
    expect(await as(db.ownerUrlFor('priorities'), 'SELECT count(*) FROM secrets.outbox')).toEqual({ ok: false, code: '42501' })
  })
})
