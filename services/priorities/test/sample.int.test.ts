// Sample data (SPEC §11.6): 12 tasks (V3 and V4 among them; two placed in Q3 and Q4 by overrides), 3 deals (V1,
// V7), people with Dana Reyes at score 90; every row marked `sample`; loading and removing are idempotent and
// removal leaves the owner's own rows alone. Only auth may call.
import { beforeAll, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { generateApiKey, type Identity } from '@robbie/contracts'
import { loadConfig } from '@robbie/service-kit'
import { buildTestApp, captureLogs, testContext } from '@robbie/testing'
import { createApp } from '../src/app.js'
import { configSchema } from '../src/config.js'
import { user, type User } from './helper.js'

const keys = new Map<string, Identity>()
const keyFor = (service: string) => { const k = generateApiKey('svc'); keys.set(k.key, { kind: 'service', id: `svc:${service}`, scopes: [], keyId: k.id }); return k.key }
const authKey = keyFor('auth')
const chatKey = keyFor('chat')
let app: FastifyInstance
let owner: User

beforeAll(async () => {
  const ctx = await testContext('priorities', { ROBBIE_RATE_LIMIT_MULTIPLIER: '1000' })
  app = await buildTestApp(async () => await createApp(loadConfig(configSchema, ctx.env), {
    logDestination: captureLogs().stream,
    verifyApiKey: async (key) => { const identity = keys.get(key); return identity ? { identity, expiresAt: null } : null }
  }))
  owner = await user('owner')
})

const call = (method: 'POST' | 'DELETE', key = authKey) =>
  app.inject({ method, url: '/internal/priorities/sample-data', headers: { authorization: `Bearer ${key}` }, payload: { ownerUserId: owner.id } })

describe('sample data', () => {
  it('loads tasks in all four quadrants, deals and people, once', async () => {
    const mine = await app.inject({ method: 'POST', url: '/api/priorities/tasks', headers: owner.headers, payload: { title: 'My own task' } })
    expect(mine.statusCode).toBe(201)

    const loaded = await call('POST')
    expect(loaded.statusCode).toBe(200)
    expect(loaded.json()).toEqual({ tasks: 12, deals: 3, people: 3, loaded: true })
    expect((await call('POST')).json()).toEqual({ tasks: 12, deals: 3, people: 3, loaded: true })

    const { rows } = await app.db.query("SELECT title, quadrant, round(score::numeric, 1)::float AS score FROM items WHERE sample AND kind = 'task' ORDER BY title")
    const byTitle = Object.fromEntries(rows.map((r) => [r.title as string, r]))
    expect(byTitle['Send Globex the revised proposal']).toMatchObject({ quadrant: 'Q1' }) // V3
    expect(byTitle['Read the board memo']).toMatchObject({ quadrant: 'Q2', score: 36.4 }) // V4
    expect(byTitle['Book travel for the Berlin offsite']!.quadrant).toBe('Q3')
    expect(byTitle['Clean up old shared drive folders']!.quadrant).toBe('Q4')
    expect(new Set(rows.map((r) => r.quadrant))).toEqual(new Set(['Q1', 'Q2', 'Q3', 'Q4']))
    const { rows: tagged } = await app.db.query("SELECT count(*)::int AS n FROM items WHERE sample AND kind = 'task' AND 'sample' = ANY(tags)")
    expect(tagged[0].n).toBe(12)

    const { rows: deals } = await app.db.query('SELECT name, i.quadrant FROM deals d JOIN items i ON i.id = d.item_id WHERE d.sample AND i.sample ORDER BY name')
    expect(deals).toEqual([{ name: 'Acme renewal', quadrant: 'Q4' }, { name: 'Globex pilot', quadrant: expect.any(String) }, { name: 'Initech expansion', quadrant: 'Q2' }])
    const dana = await app.inject({ method: 'GET', url: '/api/priorities/people/dana.reyes@acme.example', headers: owner.headers })
    expect(dana.json()).toMatchObject({ name: 'Dana Reyes', score: 90 })

    const surface = await app.inject({ method: 'GET', url: '/api/priorities/surface', headers: owner.headers })
    expect(JSON.stringify(surface.json())).toContain('Approve the Q3 hiring plan')
  })

  it('removes exactly the sample rows, idempotently', async () => {
    expect((await call('DELETE')).json()).toEqual({ tasks: 0, deals: 0, people: 0, loaded: false })
    expect((await call('DELETE')).json()).toEqual({ tasks: 0, deals: 0, people: 0, loaded: false })
    const { rows } = await app.db.query('SELECT title FROM items WHERE owner_user_id = $1', [owner.id])
    expect(rows).toEqual([{ title: 'My own task' }])
    const surface = await app.inject({ method: 'GET', url: '/api/priorities/surface', headers: owner.headers })
    expect(JSON.stringify(surface.json())).not.toContain('Approve the Q3 hiring plan')
  })

  it('is for auth alone', async () => {
    expect((await call('POST', chatKey)).statusCode).toBe(403)
    const asOwner = await app.inject({ method: 'POST', url: '/internal/priorities/sample-data', headers: owner.headers, payload: { ownerUserId: owner.id } })
    expect(asOwner.statusCode).toBe(403)
  })
})
