// SPEC §1: a member never sees the owner's items; user A never sees user B's private items — on the surface,
// in a quadrant and by id (404, as if it did not exist).
import { beforeAll, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { buildPrioritiesApp, codeOf, user, type User } from './helper.js'
import { makeItem, makeTask } from './factories.js'

let app: FastifyInstance
let owner: User
let admin: User
let a: User
let b: User
let ownerItemId: string
let privateTaskId: string
let companyTaskId: string
beforeAll(async () => {
  ({ app } = await buildPrioritiesApp())
  owner = await user('owner')
  admin = await user('admin')
  a = await user('member')
  b = await user('member')
  // an owner-private email: urgent from the owner's inbox
  ownerItemId = (await makeItem(app, { ownerUserId: owner.id, kind: 'email', visibility: 'owner', title: 'Board: acquisition offer', awaitingReply: true, deadline: new Date(Date.now() + 3_600_000), isStrategic: true, revenuePotential: 200_000 })).id
  privateTaskId = (await makeTask(app, a, { title: 'A private: prepare salary review', priority: 'critical' })).id
  companyTaskId = (await makeTask(app, a, { title: 'A company: fix the office printer', visibility: 'company' })).id
})

const everyId = (body: { surfaced: Array<{ id: string }>, submerged: Record<string, Array<{ id: string }>> }) =>
  [...body.surfaced, ...Object.values(body.submerged).flat()].map((i) => i.id)

async function seen (u: User): Promise<{ surface: string[], quadrants: string[], byId: (id: string) => Promise<number> }> {
  const surface = await app.inject({ method: 'GET', url: '/api/priorities/surface?top=50', headers: u.headers })
  expect(surface.statusCode).toBe(200)
  const quadrants: string[] = []
  for (const q of ['Q1', 'Q2', 'Q3', 'Q4']) {
    const res = await app.inject({ method: 'GET', url: `/api/priorities/quadrants/${q}?limit=200`, headers: u.headers })
    expect(res.statusCode).toBe(200)
    quadrants.push(...res.json().items.map((i: { id: string }) => i.id))
  }
  return {
    surface: everyId(surface.json()),
    quadrants,
    byId: async (id) => (await app.inject({ method: 'GET', url: `/api/priorities/items/${id}`, headers: u.headers })).statusCode
  }
}

describe('visibility', () => {
  it('the owner sees their own items, the company task, not a member\'s private task', async () => {
    const s = await seen(owner)
    expect(s.surface).toContain(ownerItemId)
    expect(s.quadrants).toContain(ownerItemId)
    expect(s.surface).toContain(companyTaskId)
    expect(s.surface).not.toContain(privateTaskId)
    expect(await s.byId(ownerItemId)).toBe(200)
    expect(await s.byId(privateTaskId)).toBe(404)
  })

  it('a member never sees the owner\'s items (surface, quadrants, by id → 404)', async () => {
    for (const u of [a, b, admin]) {
      const s = await seen(u)
      expect(s.surface).not.toContain(ownerItemId)
      expect(s.quadrants).not.toContain(ownerItemId)
      expect(await s.byId(ownerItemId)).toBe(404)
      expect(codeOf(await app.inject({ method: 'PATCH', url: `/api/priorities/items/${ownerItemId}`, headers: u.headers, payload: { pinned: true } }))).toEqual([404, 'PRIORITIES_NOT_FOUND'])
      expect(codeOf(await app.inject({ method: 'POST', url: `/api/priorities/items/${ownerItemId}/move`, headers: u.headers, payload: { quadrant: 'Q4' } }))).toEqual([404, 'PRIORITIES_NOT_FOUND'])
    }
  })

  it('user A never sees user B\'s private items, and A sees their own', async () => {
    const sa = await seen(a)
    expect(sa.surface).toContain(privateTaskId)
    expect(await sa.byId(privateTaskId)).toBe(200)
    const sb = await seen(b)
    expect(sb.surface).not.toContain(privateTaskId)
    expect(sb.quadrants).not.toContain(privateTaskId)
    expect(sb.surface).toContain(companyTaskId)
    expect(await sb.byId(privateTaskId)).toBe(404)
    const listed = await app.inject({ method: 'GET', url: '/api/priorities/tasks?limit=200', headers: b.headers })
    expect(listed.json().items.map((t: { id: string }) => t.id)).not.toContain(privateTaskId)
  })

  it('an unknown quadrant is 400 PRIORITIES_UNKNOWN_QUADRANT', async () => {
    expect(codeOf(await app.inject({ method: 'GET', url: '/api/priorities/quadrants/Q5', headers: a.headers }))).toEqual([400, 'PRIORITIES_UNKNOWN_QUADRANT'])
  })
})
