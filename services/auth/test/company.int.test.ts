// Company settings (SPEC §2.2): owner and admins change them, onboarding is the owner's, every change is an event.
import { describe, expect, it } from 'vitest'
import { bearer, buildAuthApp, serviceKey } from './helper.js'
import { login, makeUser } from './factories.js'

const { app } = await buildAuthApp()
const owner = await makeUser(app, { role: 'owner', name: 'Olivia Owner' })
const ownerToken = (await login(app, owner)).accessToken
const adminToken = (await login(app, await makeUser(app, { role: 'admin' }))).accessToken
const memberToken = (await login(app, await makeUser(app))).accessToken

const patch = async (token: string, payload: Record<string, unknown>) => await app.inject({ method: 'PATCH', url: '/api/auth/company', headers: bearer(token), payload })

describe('company settings', () => {
  it('reads the defaults', async () => {
    const res = await app.inject({ url: '/api/auth/company', headers: bearer(adminToken) })
    expect(res.json()).toMatchObject({ undoWindowS: 30, dailySendCap: 50, dailyCalendarWriteCap: 200, memberGpuSecondsPerDay: 3600, briefCron: '0 8 * * 1-5', onboardedAt: null, ownerUserId: owner.id, ownerName: 'Olivia Owner' })
  })

  it('an admin change bumps the version and emits auth.company.updated.v1 with the changed fields', async () => {
    const before = (await app.inject({ url: '/api/auth/company', headers: bearer(adminToken) })).json()
    const res = await patch(adminToken, { name: 'Acme', internalDomains: ['acme.example'], dailySendCap: 20, briefCron: before.briefCron })
    expect(res.statusCode).toBe(200)
    const after = res.json()
    expect(after).toMatchObject({ name: 'Acme', internalDomains: ['acme.example'], dailySendCap: 20, version: before.version + 1 })
    const events = await app.db.query<{ envelope: { data: unknown, subject: unknown } }>("SELECT envelope FROM outbox WHERE type = 'auth.company.updated.v1' AND (envelope->'data'->>'version')::int = $1", [after.version])
    expect(events.rows).toHaveLength(1)
    expect(events.rows[0]!.envelope.data).toEqual({ version: after.version, changed: ['name', 'internalDomains', 'dailySendCap'] })
    const audit = await app.db.query("SELECT 1 FROM audit_events WHERE action = 'auth.company.update' AND details->'changed' ? 'dailySendCap'")
    expect(audit.rowCount).toBe(1)
  })

  it('a patch that changes nothing emits nothing', async () => {
    const current = (await app.inject({ url: '/api/auth/company', headers: bearer(adminToken) })).json()
    const res = await patch(adminToken, { name: current.name })
    expect(res.json().version).toBe(current.version)
  })

  it('only the owner finishes onboarding', async () => {
    const refused = await patch(adminToken, { onboarded: true })
    expect([refused.statusCode, refused.json().error.code]).toEqual([403, 'AUTH_FORBIDDEN'])
    const res = await patch(ownerToken, { onboarded: true })
    expect(res.json().onboardedAt).toEqual(expect.any(String))
    expect((await app.inject({ url: '/api/auth/setup' })).json()).toEqual({ needsOwner: false, onboarded: true })
  })

  it('validates time zones, cron expressions, domains and unknown fields', async () => {
    for (const payload of [{ timeZone: 'Nowhere/Land' }, { briefCron: 'every day at 8' }, { internalDomains: ['not a domain'] }, { undoWindowS: -1 }, { color: 'red' }, {}]) {
      const res = await patch(ownerToken, payload)
      expect([res.statusCode, res.json().error.code]).toEqual([400, 'AUTH_VALIDATION_FAILED'])
    }
  })

  it('is not for members', async () => {
    expect((await app.inject({ url: '/api/auth/company', headers: bearer(memberToken) })).statusCode).toBe(403)
    expect((await patch(memberToken, { name: 'Mine' })).statusCode).toBe(403)
  })

  it('serves the internal view to the allowed services', async () => {
    const res = await app.inject({ url: '/internal/auth/company', headers: bearer(serviceKey('gpu-coordinator')) })
    expect(res.statusCode).toBe(200)
    expect(res.json()).toMatchObject({ ownerUserId: owner.id, version: expect.any(Number) })
    expect((await app.inject({ url: '/internal/auth/company', headers: bearer(serviceKey('slack-bot')) })).statusCode).toBe(403)
  })
})
