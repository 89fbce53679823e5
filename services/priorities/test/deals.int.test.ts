// Deals become items of kind `deal` (SPEC §4.1): R = amount × probability / 100, strategic above 50 000.
import { beforeAll, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { buildPrioritiesApp, codeOf, user, type User } from './helper.js'

let app: FastifyInstance
let owner: User
let member: User
beforeAll(async () => {
  ({ app } = await buildPrioritiesApp())
  owner = await user('owner')
  member = await user('member')
})

describe('deals', () => {
  it('V1 through the API: amount 120 000, probability 50, closes in 30 h → I 34, U 25, Q4, 23.0', async () => {
    const closeDate = new Date(Date.now() + 30 * 3_600_000 + 600_000).toISOString() // minutes of slack: the phrase rounds down
    const res = await app.inject({ method: 'PUT', url: '/api/priorities/deals/crm-1', headers: owner.headers, payload: { name: 'Acme renewal', amount: 120000, probability: 50, closeDate } })
    expect(res.statusCode).toBe(201)
    expect(res.json()).toMatchObject({ externalId: 'crm-1', revenuePotential: 60000, isStrategic: true, ownerUserId: owner.id })
    const itemId = res.json().itemId as string
    const item = await app.inject({ method: 'GET', url: `/api/priorities/items/${itemId}`, headers: owner.headers })
    expect(item.json()).toMatchObject({ kind: 'deal', importance: 34, urgency: 25, quadrant: 'Q4', score: 23, domain: 'human', revenuePotential: 60000 })
    expect(item.json().why).toBe('Closes in 30 h · $60k expected revenue · strategic deal')

    const surface = await app.inject({ method: 'GET', url: '/api/priorities/surface', headers: owner.headers })
    expect(surface.json().surfaced.map((i: { id: string }) => i.id)).toContain(itemId)

    const again = await app.inject({ method: 'PUT', url: '/api/priorities/deals/crm-1', headers: owner.headers, payload: { name: 'Acme renewal', amount: 120000, probability: 50, stage: 'closed_won', closeDate } })
    expect(again.statusCode).toBe(200)
    expect(again.json().itemId).toBe(itemId)
    const after = await app.inject({ method: 'GET', url: '/api/priorities/surface', headers: owner.headers })
    expect(after.json().surfaced.map((i: { id: string }) => i.id)).not.toContain(itemId)

    const list = await app.inject({ method: 'GET', url: '/api/priorities/deals', headers: owner.headers })
    expect(list.json().items.map((d: { externalId: string }) => d.externalId)).toContain('crm-1')
  })

  it('members may not read or write deals or people', async () => {
    expect(codeOf(await app.inject({ method: 'GET', url: '/api/priorities/deals', headers: member.headers }))[0]).toBe(403)
    expect(codeOf(await app.inject({ method: 'PUT', url: '/api/priorities/deals/x', headers: member.headers, payload: { name: 'x', amount: 1 } }))[0]).toBe(403)
    expect(codeOf(await app.inject({ method: 'GET', url: '/api/priorities/people/dana@example.com', headers: member.headers }))[0]).toBe(403)
  })
})

describe('people', () => {
  it('PUT creates then updates; GET reads; unknown is 404', async () => {
    const admin = await user('admin')
    const created = await app.inject({ method: 'PUT', url: '/api/priorities/people/Dana@Example.com', headers: admin.headers, payload: { name: 'Dana Reyes', score: 90 } })
    expect(created.statusCode).toBe(201)
    expect(created.json()).toMatchObject({ email: 'dana@example.com', name: 'Dana Reyes', tier: 'unknown', score: 90, responseHours: 48 })
    const updated = await app.inject({ method: 'PUT', url: '/api/priorities/people/dana@example.com', headers: owner.headers, payload: { tier: 'c_level' } })
    expect(updated.statusCode).toBe(200)
    expect(updated.json()).toMatchObject({ name: 'Dana Reyes', tier: 'c_level', score: 90 })
    expect((await app.inject({ method: 'GET', url: '/api/priorities/people/dana@example.com', headers: owner.headers })).json().tier).toBe('c_level')
    expect(codeOf(await app.inject({ method: 'GET', url: '/api/priorities/people/nobody@example.com', headers: owner.headers }))).toEqual([404, 'PRIORITIES_NOT_FOUND'])
  })
})
