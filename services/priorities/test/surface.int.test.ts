// The surface (SPEC §4.4, §4.7): after any write the next read reflects it; ETag/304 on the version; pinned
// first; moves are audited overrides with a feedback row; with Redis down it is computed directly.
import { createServer } from 'node:net'
import { beforeAll, describe, expect, it, onTestFinished } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { testContext } from '@robbie/testing'
import { buildPrioritiesApp, user, type User } from './helper.js'
import { makeTask } from './factories.js'

let app: FastifyInstance
let me: User
beforeAll(async () => {
  ({ app } = await buildPrioritiesApp())
  me = await user('member')
})

interface Surface { version: number, surfaced: Array<{ id: string, quadrant: string, pinned: boolean, why: string, score: number, label: string }>, submerged: Record<string, Array<{ id: string }>>, stats: Record<string, number | boolean> }
const read = async (u: User, top = 50, headers: Record<string, string> = {}) => await app.inject({ method: 'GET', url: `/api/priorities/surface?top=${top}`, headers: { ...u.headers, ...headers } })
const surfaceOf = async (u: User, top = 50) => (await read(u, top)).json() as Surface
const ids = (s: Surface) => s.surfaced.map((i) => i.id)

describe('surface freshness', () => {
  it('create, complete, move, pin, dismiss: the next read reflects each write', async () => {
    const before = await surfaceOf(me)
    const t = await makeTask(app, me, { title: 'Fresh: draft the hiring plan', priority: 'low' })
    const afterCreate = await surfaceOf(me)
    expect(afterCreate.version).toBeGreaterThan(before.version)
    const card = afterCreate.surfaced.find((i) => i.id === t.id)
    expect(card).toMatchObject({ quadrant: 'Q2', label: 'Schedule', score: 36.4, pinned: false })

    const moved = await app.inject({ method: 'POST', url: `/api/priorities/items/${t.id}/move`, headers: me.headers, payload: { quadrant: 'Q1' } })
    expect(moved.statusCode).toBe(200)
    expect(moved.json()).toMatchObject({ quadrant: 'Q1', importanceOverride: null, urgencyOverride: 50 })
    expect((await surfaceOf(me)).surfaced.find((i) => i.id === t.id)?.quadrant).toBe('Q1')
    const { rows: fb } = await app.db.query('SELECT from_quadrant, to_quadrant, user_id FROM item_feedback WHERE item_id = $1', [t.id])
    expect(fb).toEqual([{ from_quadrant: 'Q2', to_quadrant: 'Q1', user_id: me.id }])
    const { rows: audit } = await app.db.query("SELECT action, resource_id FROM audit_events WHERE resource_id = $1 AND action = 'priorities.item.move'", [t.id])
    expect(audit).toHaveLength(1)

    const done = await app.inject({ method: 'POST', url: `/api/priorities/tasks/${t.id}/complete`, headers: me.headers })
    expect(done.statusCode).toBe(200)
    const afterDone = await surfaceOf(me)
    expect(ids(afterDone)).not.toContain(t.id)
    expect(Object.values(afterDone.submerged).flat().map((i) => i.id)).not.toContain(t.id)
  })

  it('pinned items come first and count toward top; the rest are submerged by quadrant', async () => {
    const u = await user('member')
    const high = await makeTask(app, u, { title: 'Pin test: critical thing', priority: 'critical' })
    const low = await makeTask(app, u, { title: 'Pin test: low thing', priority: 'low' })
    expect(ids(await surfaceOf(u, 1))).toEqual([high.id])
    const pinned = await app.inject({ method: 'PATCH', url: `/api/priorities/items/${low.id}`, headers: u.headers, payload: { pinned: true } })
    expect(pinned.json()).toMatchObject({ pinned: true })
    const s = await surfaceOf(u, 1)
    expect(ids(s)).toEqual([low.id])
    expect(s.submerged.Q1!.map((i) => i.id)).toEqual([high.id])
    expect(s.stats).toMatchObject({ total: 2, surfaced: 1, submerged: 1, q1: 1, q2: 1, q1Overload: false })

    const dismissed = await app.inject({ method: 'PATCH', url: `/api/priorities/items/${low.id}`, headers: u.headers, payload: { status: 'dismissed' } })
    expect(dismissed.statusCode).toBe(200)
    expect(ids(await surfaceOf(u, 1))).toEqual([high.id])
  })

  it('ETag and If-None-Match answer 304 until a write changes the version', async () => {
    const u = await user('member')
    await makeTask(app, u, { title: 'ETag test: first task' })
    const first = await read(u)
    const etag = first.headers.etag as string
    expect(etag).toBeTruthy()
    expect((await read(u, 50, { 'if-none-match': etag })).statusCode).toBe(304)
    await makeTask(app, u, { title: 'ETag test: another one entirely' })
    const after = await read(u, 50, { 'if-none-match': etag })
    expect(after.statusCode).toBe(200)
    expect(after.json().surfaced).toHaveLength(2)
  })

  it('a company task shows on another user\'s surface as soon as it is created', async () => {
    const other = await user('member')
    await surfaceOf(other) // cached now
    const t = await makeTask(app, me, { title: 'Company: new coffee machine', visibility: 'company' })
    expect(ids(await surfaceOf(other))).toContain(t.id)
  })

  it('item by id has the breakdown and sources; stats have averages by kind', async () => {
    const t = await makeTask(app, me, { title: 'Breakdown: security review', category: 'security', sourceType: 'api', sourceId: 'bd-1' })
    const res = await app.inject({ method: 'GET', url: `/api/priorities/items/${t.id}`, headers: me.headers })
    expect(res.statusCode).toBe(200)
    expect(res.json()).toMatchObject({ importance: 80, urgency: 60, quadrant: 'Q1', score: 72, domain: 'human', number: t.number })
    expect(res.json().breakdown.length).toBeGreaterThan(0)
    expect(res.json().sources).toEqual([expect.objectContaining({ type: 'api', id: 'bd-1' })])
    const stats = await app.inject({ method: 'GET', url: '/api/priorities/stats', headers: me.headers })
    expect(stats.json().avgScoreByKind.task).toBeGreaterThan(0)
  })
})

describe('Redis down', () => {
  it('the surface is computed directly (no ETag) and still reflects writes', async () => {
    const port = await new Promise<number>((resolve) => {
      const srv = createServer()
      srv.listen(0, '127.0.0.1', () => { const p = (srv.address() as { port: number }).port; srv.close(() => resolve(p)) })
    })
    const ctx = await testContext('priorities', { ROBBIE_RATE_LIMIT_MULTIPLIER: '1000' }, onTestFinished)
    const { app: down } = await buildPrioritiesApp({ ctx, env: { REDIS_URL: `redis://127.0.0.1:${port}` }, cleanup: onTestFinished })
    const u = await user('member')
    const created = await down.inject({ method: 'POST', url: '/api/priorities/tasks', headers: u.headers, payload: { title: 'Works without Redis' } })
    expect(created.statusCode).toBe(201)
    const res = await down.inject({ method: 'GET', url: '/api/priorities/surface', headers: u.headers })
    expect(res.statusCode).toBe(200)
    expect(res.headers.etag).toBeUndefined()
    expect(res.json().surfaced.map((i: { id: string }) => i.id)).toEqual([created.json().task.id])
  })
})

describe('strategic focus and live pushes', () => {
  it('the viewer\'s gandhi changes the score, not the quadrant: V4 at gandhi 9 → 46.8', async () => {
    const u = await user('member')
    await app.db.query('INSERT INTO user_focus (user_id, gandhi, version, updated_at) VALUES ($1, 9, 1, now())', [u.id])
    const t = await makeTask(app, u, { title: 'Focus: a low task', priority: 'low' })
    const card = (await surfaceOf(u)).surfaced.find((i) => i.id === t.id)
    expect(card).toMatchObject({ quadrant: 'Q2', score: 46.8 })
    // the stored score keeps the default weights
    const { rows } = await app.db.query('SELECT score FROM items WHERE id = $1', [t.id])
    expect(Number(rows[0].score)).toBeCloseTo(36.4, 4)
  })

  it('a write pushes surface.changed live to the affected user', async () => {
    const { createHints } = await import('@robbie/bus')
    const hints = createHints({ redis: app.redis })
    const u = await user('member')
    const got: unknown[] = []
    const stop = await hints.onLive((p) => { got.push(p) })
    try {
      await makeTask(app, u, { title: 'Live: push me' })
      await expect.poll(() => got.find((p) => (p as { userId?: string }).userId === u.id), { timeout: 2000 }).toMatchObject({ userId: u.id, type: 'surface.changed' })
    } finally {
      await stop()
      await hints.close()
    }
  })
})

describe('settings', () => {
  it('surfaceCount is the default top; surfaceOnlyQ1 surfaces only Q1; each change is read at once', async () => {
    const u = await user('member')
    // company tasks of other tests show on every surface: look only at this test's two
    const mine = (s: Surface) => ids(s).filter((id) => id === q1.id || id === q2.id)
    const q1 = await makeTask(app, u, { title: 'Settings: critical thing', priority: 'critical' })
    const q2 = await makeTask(app, u, { title: 'Settings: low thing', priority: 'low' })
    expect(mine(await surfaceOf(u))).toEqual([q1.id, q2.id])
    const defaults = await app.inject({ method: 'GET', url: '/api/priorities/settings', headers: u.headers })
    expect(defaults.json()).toEqual({ surfaceCount: 10, surfaceOnlyQ1: false, notifyHuman: true, notifyAgentCompletions: false, notifySelfIssues: true })
    await app.inject({ method: 'PUT', url: '/api/priorities/settings', headers: u.headers, payload: { surfaceCount: 1 } })
    expect(ids((await app.inject({ method: 'GET', url: '/api/priorities/surface', headers: u.headers })).json())).toEqual([q1.id])
    const put = await app.inject({ method: 'PUT', url: '/api/priorities/settings', headers: u.headers, payload: { surfaceCount: 5, surfaceOnlyQ1: true } })
    expect(put.json()).toMatchObject({ surfaceCount: 5, surfaceOnlyQ1: true })
    const s = (await app.inject({ method: 'GET', url: '/api/priorities/surface', headers: u.headers })).json()
    expect(mine(s)).toEqual([q1.id])
    expect(s.submerged.Q2.map((i: { id: string }) => i.id)).toEqual([q2.id])
  })
})
