// Login, refresh rotation and reuse detection, logout and the denylist, me and sessions (SPEC §2.1).
import { describe, expect, it } from 'vitest'
import { Type } from 'typebox'
import { createService, defineConfig, loadConfig } from '@robbie/service-kit'
import { buildTestApp, testContext } from '@robbie/testing'
import { join } from 'node:path'
import { bearer, buildAuthApp, refreshCookieOf } from './helper.js'
import { login, makeUser, PASSWORD } from './factories.js'

const { app, ctx, clock } = await buildAuthApp()

// Another service of the fleet: same JWT keys and Redis prefix, its own database.
const other = await (async () => {
  const otherCtx = await testContext('priorities', { ROBBIE_REDIS_PREFIX: ctx.prefix })
  return await buildTestApp(async () => {
    const svc = await createService({ name: 'priorities', config: loadConfig(defineConfig({}), otherCtx.env), serviceDir: join(import.meta.dirname, '..', '..', 'priorities') })
    svc.get('/api/priorities/whoami', { config: { scope: 'priorities:read' }, schema: { response: { 200: Type.Object({ id: Type.String() }) } } },
      async (request) => ({ id: request.identity!.id }))
    return svc
  })
})()

const auditRows = async (action: string, resourceId: string) =>
  (await app.db.query<{ outcome: string }>('SELECT outcome FROM audit_events WHERE action = $1 AND resource_id = $2', [action, resourceId])).rows

describe('login', () => {
  it('answers an access token, the user and the refresh cookie', async () => {
    const user = await makeUser(app, { role: 'admin' })
    const res = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: user.email.toUpperCase(), password: PASSWORD } })
    expect(res.statusCode).toBe(200)
    const body = res.json()
    expect(body).toEqual({ accessToken: expect.any(String), expiresIn: 900, user: { id: user.id, email: user.email, name: user.name, role: 'admin' } })
    const cookie = String(res.headers['set-cookie'])
    expect(cookie).toMatch(/^robbie_rt=[A-Za-z0-9_-]{43}; Max-Age=\d+; Path=\/api\/auth; HttpOnly; Secure; SameSite=Strict$/)
    const [header, payload] = body.accessToken.split('.').slice(0, 2).map((p: string) => JSON.parse(Buffer.from(p, 'base64url').toString()))
    expect(header).toMatchObject({ alg: 'EdDSA', typ: 'at+jwt', kid: expect.any(String) })
    expect(payload).toMatchObject({ iss: 'robbie-auth', aud: 'robbie', sub: user.id, role: 'admin', sid: expect.any(String), jti: expect.any(String) })
    expect(payload.exp - payload.iat).toBe(900)
    expect(payload.nbf).toBe(payload.iat)
    // another service accepts it and maps the role to scopes
    const who = await other.inject({ url: '/api/priorities/whoami', headers: bearer(body.accessToken) })
    expect(who.json()).toEqual({ id: user.id })
    expect(await auditRows('auth.login', user.id)).toContainEqual({ outcome: 'success' })
  })

  it('answers the same 401 for a wrong password and an unknown email', async () => {
    const user = await makeUser(app)
    const wrong = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: user.email, password: 'not the password' } })
    const unknown = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: 'nobody@example.test', password: 'not the password' } })
    expect([wrong.statusCode, wrong.json().error.code]).toEqual([401, 'AUTH_INVALID_CREDENTIALS'])
    expect([unknown.statusCode, unknown.json().error.code]).toEqual([401, 'AUTH_INVALID_CREDENTIALS'])
    expect(wrong.json().error.message).toBe(unknown.json().error.message)
    expect(await auditRows('auth.login', user.id)).toEqual([{ outcome: 'failed' }])
  })

  it('locks the account for 15 minutes after 5 consecutive failures', async () => {
    const user = await makeUser(app)
    for (let i = 0; i < 5; i++) {
      const res = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: user.email, password: `wrong-${i}` } })
      expect(res.statusCode).toBe(401)
    }
    const locked = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: user.email, password: PASSWORD } })
    expect([locked.statusCode, locked.json().error.code]).toEqual([423, 'AUTH_ACCOUNT_LOCKED'])
    clock.advance(15 * 60_000 + 1000)
    try {
      const again = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: user.email, password: PASSWORD } })
      expect(again.statusCode).toBe(200)
    } finally { clock.reset() }
  })

  it('resets the failure count on success', async () => {
    const user = await makeUser(app)
    for (let i = 0; i < 4; i++) await app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: user.email, password: 'wrong' } })
    await login(app, user)
    for (let i = 0; i < 4; i++) await app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: user.email, password: 'wrong' } })
    expect((await app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: user.email, password: PASSWORD } })).statusCode).toBe(200)
  })

  it('refuses a disabled account with 403 once the password is right', async () => {
    const user = await makeUser(app, { status: 'disabled' })
    const res = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: user.email, password: PASSWORD } })
    expect([res.statusCode, res.json().error.code]).toEqual([403, 'AUTH_ACCOUNT_DISABLED'])
    const wrong = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: user.email, password: 'wrong password' } })
    expect(wrong.statusCode).toBe(401)
  })

  it('refuses unknown fields and bad input without a write', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: 'x@example.test', password: 'p', remember: true } })
    expect([res.statusCode, res.json().error.code]).toEqual([400, 'AUTH_VALIDATION_FAILED'])
  })
})

describe('refresh', () => {
  it('rotates the token on every use', async () => {
    const user = await makeUser(app)
    const { cookie } = await login(app, user)
    const first = await app.inject({ method: 'POST', url: '/api/auth/refresh', headers: { cookie } })
    expect(first.statusCode).toBe(200)
    expect(first.json().user.id).toBe(user.id)
    const next = refreshCookieOf(first)
    expect(next).not.toBe(cookie)
    const second = await app.inject({ method: 'POST', url: '/api/auth/refresh', headers: { cookie: next } })
    expect(second.statusCode).toBe(200)
  })

  it('answers 204 without a cookie', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/auth/refresh' })
    expect([res.statusCode, res.body]).toEqual([204, ''])
  })

  it('revokes the whole family when an old token comes back, and audits it', async () => {
    const user = await makeUser(app)
    const { cookie: t1, accessToken } = await login(app, user)
    const r2 = await app.inject({ method: 'POST', url: '/api/auth/refresh', headers: { cookie: t1 } })
    const t2 = refreshCookieOf(r2)
    const r3 = await app.inject({ method: 'POST', url: '/api/auth/refresh', headers: { cookie: t2 } })
    const t3 = refreshCookieOf(r3)
    // t1 is no longer the live token's immediate predecessor: reuse
    const reused = await app.inject({ method: 'POST', url: '/api/auth/refresh', headers: { cookie: t1 } })
    expect([reused.statusCode, reused.json().error.code]).toEqual([401, 'AUTH_REFRESH_REUSED'])
    const live = await app.inject({ method: 'POST', url: '/api/auth/refresh', headers: { cookie: t3 } })
    expect([live.statusCode, live.json().error.code]).toEqual([401, 'AUTH_REFRESH_INVALID'])
    const sid = JSON.parse(Buffer.from(accessToken.split('.')[1]!, 'base64url').toString()).sid as string
    expect(await auditRows('auth.refresh.reuse', sid)).toEqual([{ outcome: 'denied' }])
    // the family's access tokens are refused everywhere
    expect((await other.inject({ url: '/api/priorities/whoami', headers: bearer(r3.json().accessToken) })).statusCode).toBe(401)
  })

  it('accepts the immediate predecessor within 30 s, and treats it as reuse after', async () => {
    const user = await makeUser(app)
    const { cookie: t1 } = await login(app, user)
    const r2 = await app.inject({ method: 'POST', url: '/api/auth/refresh', headers: { cookie: t1 } })
    expect(r2.statusCode).toBe(200)
    // a second tab presents t1 again within the grace: an ordinary refresh
    const tab = await app.inject({ method: 'POST', url: '/api/auth/refresh', headers: { cookie: t1 } })
    expect(tab.statusCode).toBe(200)
    const t3 = refreshCookieOf(tab)
    clock.advance(31_000)
    try {
      const r4 = await app.inject({ method: 'POST', url: '/api/auth/refresh', headers: { cookie: t3 } })
      expect(r4.statusCode).toBe(200)
      clock.advance(31_000)
      const late = await app.inject({ method: 'POST', url: '/api/auth/refresh', headers: { cookie: t3 } })
      expect([late.statusCode, late.json().error.code]).toEqual([401, 'AUTH_REFRESH_REUSED'])
    } finally { clock.reset() }
  })

  it('ends a session idle for 7 days', async () => {
    const user = await makeUser(app)
    const { cookie } = await login(app, user)
    clock.advance(7 * 24 * 3600_000 + 1000)
    try {
      const res = await app.inject({ method: 'POST', url: '/api/auth/refresh', headers: { cookie } })
      expect([res.statusCode, res.json().error.code]).toEqual([401, 'AUTH_REFRESH_INVALID'])
    } finally { clock.reset() }
  })
})

describe('logout', () => {
  it('ends the session with the cookie alone; the access token is refused by every service', async () => {
    const user = await makeUser(app)
    const { cookie, accessToken } = await login(app, user)
    expect((await other.inject({ url: '/api/priorities/whoami', headers: bearer(accessToken) })).statusCode).toBe(200)
    const res = await app.inject({ method: 'POST', url: '/api/auth/logout', headers: { cookie } })
    expect(res.statusCode).toBe(204)
    expect(String(res.headers['set-cookie'])).toContain('Max-Age=0')
    expect((await other.inject({ url: '/api/priorities/whoami', headers: bearer(accessToken) })).statusCode).toBe(401)
    expect((await app.inject({ url: '/api/auth/me', headers: bearer(accessToken) })).statusCode).toBe(401)
    expect((await app.inject({ method: 'POST', url: '/api/auth/refresh', headers: { cookie } })).statusCode).toBe(401)
  })

  it('answers 204 without a cookie or with an unknown one', async () => {
    expect((await app.inject({ method: 'POST', url: '/api/auth/logout' })).statusCode).toBe(204)
    expect((await app.inject({ method: 'POST', url: '/api/auth/logout', headers: { cookie: `robbie_rt=${'a'.repeat(43)}` } })).statusCode).toBe(204)
  })

  it('logout-all ends every session of the user', async () => {
    const user = await makeUser(app)
    const a = await login(app, user)
    const b = await login(app, user)
    expect((await app.inject({ method: 'POST', url: '/api/auth/logout-all', headers: bearer(a.accessToken) })).statusCode).toBe(204)
    expect((await other.inject({ url: '/api/priorities/whoami', headers: bearer(b.accessToken) })).statusCode).toBe(401)
    expect((await app.inject({ method: 'POST', url: '/api/auth/refresh', headers: { cookie: b.cookie } })).statusCode).toBe(401)
  })
})

describe('me and sessions', () => {
  it('reads and changes the profile', async () => {
    const user = await makeUser(app)
    const { accessToken } = await login(app, user)
    const me = await app.inject({ url: '/api/auth/me', headers: bearer(accessToken) })
    expect(me.json()).toMatchObject({ id: user.id, email: user.email, role: 'member', status: 'active', timeZone: 'UTC' })
    const patched = await app.inject({ method: 'PATCH', url: '/api/auth/me', headers: bearer(accessToken), payload: { name: 'New Name', timeZone: 'Europe/Berlin' } })
    expect(patched.json()).toMatchObject({ name: 'New Name', timeZone: 'Europe/Berlin' })
    const short = await app.inject({ method: 'PATCH', url: '/api/auth/me', headers: bearer(accessToken), payload: { password: { current: PASSWORD, next: 'short' } } })
    expect(short.statusCode).toBe(400)
  })

  it('a password change ends the other sessions but not this one', async () => {
    const user = await makeUser(app)
    const mine = await login(app, user)
    const elsewhere = await login(app, user)
    const wrong = await app.inject({ method: 'PATCH', url: '/api/auth/me', headers: bearer(mine.accessToken), payload: { password: { current: 'not it at all', next: 'a brand new password' } } })
    expect(wrong.statusCode).toBe(401)
    const res = await app.inject({ method: 'PATCH', url: '/api/auth/me', headers: bearer(mine.accessToken), payload: { password: { current: PASSWORD, next: 'a brand new password' } } })
    expect(res.statusCode).toBe(200)
    expect((await other.inject({ url: '/api/priorities/whoami', headers: bearer(elsewhere.accessToken) })).statusCode).toBe(401)
    expect((await other.inject({ url: '/api/priorities/whoami', headers: bearer(mine.accessToken) })).statusCode).toBe(200)
    expect((await app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: user.email, password: 'a brand new password' } })).statusCode).toBe(200)
  })

  it('lists own sessions and deletes one; others are not found', async () => {
    const user = await makeUser(app)
    const stranger = await makeUser(app)
    const a = await login(app, user)
    const b = await login(app, user)
    const theirs = await login(app, stranger)
    const list = await app.inject({ url: '/api/auth/sessions', headers: bearer(a.accessToken) })
    expect(list.statusCode).toBe(200)
    const items = list.json().items as Array<{ id: string, current: boolean }>
    expect(items).toHaveLength(2)
    expect(items.filter((s) => s.current)).toHaveLength(1)
    const other2 = items.find((s) => !s.current)!
    expect((await app.inject({ method: 'DELETE', url: `/api/auth/sessions/${other2.id}`, headers: bearer(a.accessToken) })).statusCode).toBe(204)
    expect((await app.inject({ url: '/api/auth/me', headers: bearer(b.accessToken) })).statusCode).toBe(401)
    const theirSid = JSON.parse(Buffer.from(theirs.accessToken.split('.')[1]!, 'base64url').toString()).sid as string
    const foreign = await app.inject({ method: 'DELETE', url: `/api/auth/sessions/${theirSid}`, headers: bearer(a.accessToken) })
    expect([foreign.statusCode, foreign.json().error.code]).toEqual([404, 'AUTH_NOT_FOUND'])
  })

  it('needs a credential', async () => {
    expect((await app.inject({ url: '/api/auth/me' })).statusCode).toBe(401)
  })
})

describe('jwks', () => {
  it('publishes the public halves only', async () => {
    const res = await app.inject({ url: '/api/auth/.well-known/jwks.json' })
    expect(res.statusCode).toBe(200)
    const keys = res.json().keys as Array<Record<string, string>>
    expect(keys.length).toBeGreaterThanOrEqual(1)
    for (const k of keys) {
      expect(k).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig' })
      expect(k).not.toHaveProperty('d')
    }
  })
})
