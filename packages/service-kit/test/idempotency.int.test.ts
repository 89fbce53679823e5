// SPEC §0.3: the same Idempotency-Key, fifty times at once, causes one effect.
import { describe, expect, it } from 'vitest'
import pg from 'pg'
import { Type } from 'typebox'
import { Str } from '@robbie/contracts'
import { mintAccessToken, testContext } from '@robbie/testing'
import { buildKitApp } from './helper.js'

// fifty requests from one identity at once: rate limits raised by config, as test fleets do
const ctx = await testContext('priorities', { ROBBIE_RATE_LIMIT_MULTIPLIER: '10' })
// The effect: a table of the test's own, made by the schema owner and granted to the runtime role.
const owner = new pg.Client({ connectionString: ctx.db.ownerUrlFor('priorities') })
await owner.connect()
await owner.query('CREATE TABLE priorities.effects (id serial PRIMARY KEY, title text NOT NULL)')
await owner.end()

const { app } = await buildKitApp({
  ctx,
  routes: (app) => {
    app.post('/api/priorities/things', {
      config: { scope: 'priorities:write', idempotent: true },
      schema: { body: Type.Object({ title: Str(50, 1) }, { additionalProperties: false }), response: { 201: Type.Object({ id: Type.Integer(), title: Type.String() }) } }
    }, async (request, reply) => {
      await new Promise((resolve) => setTimeout(resolve, 30)) // a handler that takes a moment, so the copies overlap
      const { rows } = await app.db.query<{ id: number }>('INSERT INTO effects (title) VALUES ($1) RETURNING id', [(request.body as { title: string }).title])
      return await reply.code(201).send({ id: rows[0]!.id, title: (request.body as { title: string }).title })
    })
    app.post('/api/priorities/shown-once', {
      config: { scope: 'priorities:write', idempotent: 'sealed' },
      schema: { body: Type.Object({ name: Str(50, 1) }, { additionalProperties: false }), response: { 201: Type.Object({ secret: Type.String() }) } }
    }, async (_request, reply) => await reply.code(201).send({ secret: `s3cret-${Math.random().toString(36).slice(2)}` }))
  }
})
const token = await mintAccessToken()
const post = (key: string, title: string) => app.inject({
  method: 'POST', url: '/api/priorities/things', payload: { title }, headers: { authorization: `Bearer ${token}`, 'idempotency-key': key }
})
const effects = async (title: string) => Number((await app.db.query<{ n: string }>('SELECT count(*) AS n FROM effects WHERE title = $1', [title])).rows[0]!.n)

describe('Idempotency-Key', () => {
  it('fifty concurrent identical requests cause one effect', async () => {
    const replies = await Promise.all(Array.from({ length: 50 }, () => post('k-fifty', 'fifty')))
    expect(await effects('fifty')).toBe(1)
    const created = replies.filter((r) => r.statusCode === 201)
    expect(created.length).toBeGreaterThanOrEqual(1)
    // everyone else was told the first is still running
    expect(replies.every((r) => r.statusCode === 201 || r.json().error.code === 'PRIORITIES_IDEMPOTENCY_IN_PROGRESS')).toBe(true)
    // once it is done, a retry gets the stored reply byte for byte
    const again = await post('k-fifty', 'fifty')
    expect(again.statusCode).toBe(201)
    expect(again.body).toBe(created[0]!.body)
    expect(again.headers['idempotent-replayed']).toBe('true')
    expect(await effects('fifty')).toBe(1)
  })

  it('refuses the same key with a different body, and an over-long key', async () => {
    expect((await post('k-mismatch', 'one')).statusCode).toBe(201)
    const other = await post('k-mismatch', 'two')
    expect([other.statusCode, other.json().error.code]).toEqual([422, 'PRIORITIES_IDEMPOTENCY_MISMATCH'])
    expect(await effects('two')).toBe(0)
    const long = await post('x'.repeat(256), 'long')
    expect(long.statusCode).toBe(400)
    expect(await effects('long')).toBe(0)
  })

  it('keys belong to an identity: another caller with the same key gets its own effect', async () => {
    const other = await mintAccessToken()
    await post('k-shared', 'shared')
    const res = await app.inject({ method: 'POST', url: '/api/priorities/things', payload: { title: 'shared' }, headers: { authorization: `Bearer ${other}`, 'idempotency-key': 'k-shared' } })
    expect(res.statusCode).toBe(201)
    expect(await effects('shared')).toBe(2)
  })

  it('stores a reply with a secret in it sealed, and gives it back only to the same key', async () => {
    const first = await app.inject({ method: 'POST', url: '/api/priorities/shown-once', payload: { name: 'k' }, headers: { authorization: `Bearer ${token}`, 'idempotency-key': 'k-sealed' } })
    const secret = first.json().secret as string
    const { rows } = await app.db.query<{ response: Buffer }>("SELECT response FROM idempotency_keys WHERE key = 'k-sealed'")
    expect(rows[0]!.response.includes(Buffer.from(secret))).toBe(false)
    const again = await app.inject({ method: 'POST', url: '/api/priorities/shown-once', payload: { name: 'k' }, headers: { authorization: `Bearer ${token}`, 'idempotency-key': 'k-sealed' } })
    expect(again.body).toBe(first.body)
  })

  it('without a key every request is its own', async () => {
    for (let i = 0; i < 2; i++) await app.inject({ method: 'POST', url: '/api/priorities/things', payload: { title: 'nokey' }, headers: { authorization: `Bearer ${token}` } })
    expect(await effects('nokey')).toBe(2)
  })
})
