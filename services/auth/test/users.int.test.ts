// Users and invites (SPEC §2.2): who may invite and change whom, invite acceptance and expiry, disabling,
// and the internal user directory.
import { describe, expect, it } from 'vitest'
import { bearer, buildAuthApp, serviceKey } from './helper.js'
import { login, makeUser } from './factories.js'

const { app, clock } = await buildAuthApp()
const owner = await makeUser(app, { role: 'owner', name: 'Olivia Owner' })
const admin = await makeUser(app, { role: 'admin', name: 'Adam Admin' })
const ownerToken = (await login(app, owner)).accessToken
const adminToken = (await login(app, admin)).accessToken

const invite = async (token: string, payload: Record<string, unknown>, headers: Record<string, string> = {}) =>
  await app.inject({ method: 'POST', url: '/api/auth/invites', headers: { ...bearer(token), ...headers }, payload })
const tokenOf = (inviteUrl: string) => inviteUrl.replace(/^\/invite#/, '')

describe('invites', () => {
  it('owner invites an admin; accepting signs in', async () => {
    const res = await invite(ownerToken, { email: 'new-admin@example.test', role: 'admin' })
    expect(res.statusCode).toBe(201)
    const { inviteId, inviteUrl } = res.json()
    expect(inviteId).toMatch(/^[0-9a-f-]{36}$/)
    expect(inviteUrl).toMatch(/^\/invite#[A-Za-z0-9_-]{43}$/)
    const accepted = await app.inject({ method: 'POST', url: '/api/auth/invites/accept', payload: { token: tokenOf(inviteUrl), name: 'Nina New', password: 'a good long password' } })
    expect(accepted.statusCode).toBe(200)
    expect(accepted.json().user).toMatchObject({ email: 'new-admin@example.test', name: 'Nina New', role: 'admin' })
    const again = await app.inject({ method: 'POST', url: '/api/auth/invites/accept', payload: { token: tokenOf(inviteUrl), name: 'Nina New', password: 'a good long password' } })
    expect([again.statusCode, again.json().error.code]).toEqual([410, 'AUTH_INVITE_EXPIRED'])
    expect((await app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: 'new-admin@example.test', password: 'a good long password' } })).statusCode).toBe(200)
  })

  it('admins invite members only', async () => {
    const res = await invite(adminToken, { email: 'not-an-admin@example.test', role: 'admin' })
    expect([res.statusCode, res.json().error.code]).toEqual([403, 'AUTH_FORBIDDEN'])
    expect((await invite(adminToken, { email: 'a-member@example.test', role: 'member' })).statusCode).toBe(201)
  })

  it('members cannot invite', async () => {
    const member = await makeUser(app)
    const { accessToken } = await login(app, member)
    expect((await invite(accessToken, { email: 'x@example.test', role: 'member' })).statusCode).toBe(403)
  })

  it('refuses an email that already has an account', async () => {
    const res = await invite(ownerToken, { email: admin.email.toUpperCase(), role: 'member' })
    expect([res.statusCode, res.json().error.code]).toEqual([409, 'AUTH_CONFLICT'])
  })

  it('an invite expires after 72 h', async () => {
    const res = await invite(ownerToken, { email: 'late@example.test', role: 'member' })
    clock.advance(72 * 3600_000 + 1000)
    try {
      const accepted = await app.inject({ method: 'POST', url: '/api/auth/invites/accept', payload: { token: tokenOf(res.json().inviteUrl), name: 'Late', password: 'a good long password' } })
      expect([accepted.statusCode, accepted.json().error.code]).toEqual([410, 'AUTH_INVITE_EXPIRED'])
    } finally { clock.reset() }
  })

  it('replays the same reply for the same Idempotency-Key', async () => {
    const first = await invite(ownerToken, { email: 'once@example.test', role: 'member' }, { 'idempotency-key': 'invite-once' })
    const second = await invite(ownerToken, { email: 'once@example.test', role: 'member' }, { 'idempotency-key': 'invite-once' })
    expect(second.statusCode).toBe(201)
    expect(second.body).toBe(first.body)
    expect(second.headers['idempotent-replayed']).toBe('true')
  })
})

describe('changing users', () => {
  it('nobody changes the owner', async () => {
    for (const token of [ownerToken, adminToken]) {
      const res = await app.inject({ method: 'PATCH', url: `/api/auth/users/${owner.id}`, headers: bearer(token), payload: { role: 'member' } })
      expect([res.statusCode, res.json().error.code]).toEqual([403, 'AUTH_CANNOT_CHANGE_OWNER'])
    }
  })

  it('admins change members only, and never into admins', async () => {
    const otherAdmin = await makeUser(app, { role: 'admin' })
    const member = await makeUser(app)
    const res = await app.inject({ method: 'PATCH', url: `/api/auth/users/${otherAdmin.id}`, headers: bearer(adminToken), payload: { status: 'disabled' } })
    expect([res.statusCode, res.json().error.code]).toEqual([403, 'AUTH_FORBIDDEN'])
    const promote = await app.inject({ method: 'PATCH', url: `/api/auth/users/${member.id}`, headers: bearer(adminToken), payload: { role: 'admin' } })
    expect(promote.statusCode).toBe(403)
    const rename = await app.inject({ method: 'PATCH', url: `/api/auth/users/${member.id}`, headers: bearer(adminToken), payload: { name: 'Renamed' } })
    expect(rename.json()).toMatchObject({ id: member.id, name: 'Renamed', role: 'member' })
  })

  it('owner promotes a member; the old sessions end and the event carries the new role', async () => {
    const member = await makeUser(app)
    const session = await login(app, member)
    const res = await app.inject({ method: 'PATCH', url: `/api/auth/users/${member.id}`, headers: bearer(ownerToken), payload: { role: 'admin' } })
    expect(res.json()).toMatchObject({ role: 'admin', status: 'active' })
    expect((await app.inject({ url: '/api/auth/me', headers: bearer(session.accessToken) })).statusCode).toBe(401)
    const events = await app.db.query<{ envelope: { data: Record<string, unknown> } }>(
      "SELECT envelope FROM outbox WHERE type = 'auth.user.updated.v1' AND envelope->'data'->>'userId' = $1 ORDER BY seq", [member.id])
    expect(events.rows.at(-1)!.envelope.data).toEqual({ userId: member.id, role: 'admin', status: 'active', version: 2 })
  })

  it('disabling ends the sessions at once, refuses login, and emits the event', async () => {
    const member = await makeUser(app)
    const session = await login(app, member)
    const res = await app.inject({ method: 'PATCH', url: `/api/auth/users/${member.id}`, headers: bearer(adminToken), payload: { status: 'disabled' } })
    expect(res.json()).toMatchObject({ status: 'disabled' })
    expect((await app.inject({ url: '/api/auth/me', headers: bearer(session.accessToken) })).statusCode).toBe(401)
    expect((await app.inject({ method: 'POST', url: '/api/auth/refresh', headers: { cookie: session.cookie } })).statusCode).toBe(401)
    expect((await app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: member.email, password: member.password } })).statusCode).toBe(403)
    const events = await app.db.query("SELECT 1 FROM outbox WHERE type = 'auth.user.updated.v1' AND envelope->'data'->>'userId' = $1 AND envelope->'data'->>'status' = 'disabled'", [member.id])
    expect(events.rowCount).toBe(1)
    const audit = await app.db.query("SELECT details FROM audit_events WHERE action = 'auth.user.status_change' AND resource_id = $1", [member.id])
    expect(audit.rows).toEqual([{ details: { from: 'active', to: 'disabled' } }])
  })

  it('answers 404 for an unknown user', async () => {
    const res = await app.inject({ method: 'PATCH', url: '/api/auth/users/01900000-0000-7000-8000-000000000000', headers: bearer(ownerToken), payload: { name: 'x' } })
    expect(res.statusCode).toBe(404)
  })
})

describe('listing users', () => {
  it('pages through users for owners and admins', async () => {
    const first = await app.inject({ url: '/api/auth/users?limit=2', headers: bearer(adminToken) })
    expect(first.statusCode).toBe(200)
    const page = first.json()
    expect(page.items).toHaveLength(2)
    expect(page.items[0]).toEqual({ id: owner.id, email: owner.email, name: owner.name, role: 'owner', status: 'active', lastLoginAt: expect.any(String) })
    const next = await app.inject({ url: `/api/auth/users?limit=2&cursor=${page.nextCursor}`, headers: bearer(adminToken) })
    expect(next.json().items[0].id).not.toBe(page.items[1].id)
    expect((await app.inject({ url: '/api/auth/users?limit=500', headers: bearer(adminToken) })).statusCode).toBe(400)
  })

  it('is not for members', async () => {
    const member = await makeUser(app)
    const { accessToken } = await login(app, member)
    expect((await app.inject({ url: '/api/auth/users', headers: bearer(accessToken) })).statusCode).toBe(403)
  })
})

describe('internal directory', () => {
  it('finds users by ids or by a name/email prefix, for allowed services only', async () => {
    const res = await app.inject({ url: `/internal/auth/users?ids=${owner.id},${admin.id}`, headers: bearer(serviceKey('chat')) })
    expect(res.statusCode).toBe(200)
    expect(res.json().items.map((u: { id: string }) => u.id).sort()).toEqual([owner.id, admin.id].sort())
    const byName = await app.inject({ url: '/internal/auth/users?q=oliv', headers: bearer(serviceKey('priorities')) })
    expect(byName.json()).toEqual({ items: [{ id: owner.id, email: owner.email, name: 'Olivia Owner', role: 'owner', status: 'active' }], nextCursor: null })
    expect((await app.inject({ url: '/internal/auth/users?q=o', headers: bearer(serviceKey('chat')) })).statusCode).toBe(400)
    expect((await app.inject({ url: '/internal/auth/users', headers: bearer(serviceKey('chat')) })).statusCode).toBe(400)
    expect((await app.inject({ url: '/internal/auth/users?ids=nope', headers: bearer(serviceKey('chat')) })).statusCode).toBe(400)
    expect((await app.inject({ url: '/internal/auth/users?q=oliv', headers: bearer(serviceKey('secrets')) })).statusCode).toBe(403)
    expect((await app.inject({ url: '/internal/auth/users?q=oliv', headers: bearer(ownerToken) })).statusCode).toBe(403)
  })
})
