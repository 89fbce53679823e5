// The killswitch (SPEC §11.5): Postgres state, the Redis mirror, the event and who may toggle it.
import { describe, expect, it } from 'vitest'
import { bearer, buildAuthApp } from './helper.js'
import { login, makeUser } from './factories.js'

const { app, ctx, redis } = await buildAuthApp()
const admin = await makeUser(app, { role: 'admin' })
const adminToken = (await login(app, admin)).accessToken
const memberToken = (await login(app, await makeUser(app))).accessToken
const mirror = async () => JSON.parse(await redis.get(`${ctx.prefix}killswitch`) ?? 'null') as Record<string, unknown> | null

describe('killswitch', () => {
  it('is off at first, and the mirror says so from boot', async () => {
    const res = await app.inject({ url: '/api/auth/killswitch', headers: bearer(memberToken) })
    expect(res.json()).toEqual({ active: false, pauseOutbound: false, reason: null, since: null, by: null })
    expect(await mirror()).toEqual(res.json())
  })

  it('needs a reason to activate', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/auth/killswitch', headers: bearer(adminToken), payload: { active: true } })
    expect([res.statusCode, res.json().error.code]).toEqual([400, 'AUTH_VALIDATION_FAILED'])
    expect(res.json().error.details).toEqual([{ path: 'body/reason', rule: 'required' }])
  })

  it('an admin activates it: Postgres, Redis, the event and the audit row agree', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/auth/killswitch', headers: bearer(adminToken), payload: { active: true, reason: 'runaway agent' } })
    expect(res.statusCode).toBe(200)
    const state = res.json()
    expect(state).toMatchObject({ active: true, pauseOutbound: true, reason: 'runaway agent', by: admin.id, since: expect.any(String) })
    expect(await mirror()).toEqual(state)
    const row = await app.db.query('SELECT active, pause_outbound, reason, actor_id FROM killswitch_events ORDER BY at DESC LIMIT 1')
    expect(row.rows[0]).toEqual({ active: true, pause_outbound: true, reason: 'runaway agent', actor_id: admin.id })
    const event = await app.db.query<{ envelope: { data: unknown } }>("SELECT envelope FROM outbox WHERE type = 'auth.killswitch.changed.v1' ORDER BY seq DESC LIMIT 1")
    expect(event.rows[0]!.envelope.data).toEqual({ active: true, pauseOutbound: true, reason: 'runaway agent', by: admin.id })
    expect((await app.db.query("SELECT 1 FROM audit_events WHERE action = 'auth.killswitch.activate'")).rowCount).toBe(1)
    expect((await app.inject({ url: '/api/auth/killswitch', headers: bearer(memberToken) })).json()).toEqual(state)
  })

  it('releases it', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/auth/killswitch', headers: bearer(adminToken), payload: { active: false } })
    expect(res.json()).toMatchObject({ active: false, pauseOutbound: false, reason: null })
    expect(await mirror()).toMatchObject({ active: false })
  })

  it('members may not toggle it', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/auth/killswitch', headers: bearer(memberToken), payload: { active: true, reason: 'x' } })
    expect(res.statusCode).toBe(403)
  })
})
