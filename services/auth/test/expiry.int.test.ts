// SPEC §2.3: a personal key that expires within 14 days is announced once (auth.apikey.expiring.v1), by a
// scheduled job that runs on one replica at a time and leaves a run record (SPEC §0.6).
import { describe, expect, it } from 'vitest'
import { bearer, buildKeysApp } from './keys.helper.js'
import { login, makeUser } from './factories.js'

const { app } = await buildKeysApp()

describe('expiring personal keys', () => {
  it('announces a key that expires within 14 days exactly once', async () => {
    const user = await makeUser(app, { role: 'member' })
    const { accessToken } = await login(app, user)
    const soon = (await app.inject({ method: 'POST', url: '/api/auth/keys', headers: bearer(accessToken), payload: { name: 'soon', scopes: ['auth:read'], expiresInDays: 10 } })).json() as { id: string }
    const later = (await app.inject({ method: 'POST', url: '/api/auth/keys', headers: bearer(accessToken), payload: { name: 'later', scopes: ['auth:read'], expiresInDays: 60 } })).json() as { id: string }

    expect(await app.jobs.runOnce('apikey-expiry-notice')).toBe('success')
    expect(await app.jobs.runOnce('apikey-expiry-notice')).toBe('success')
    const events = await app.db.query<{ envelope: { data: { keyId: string, userId: string, name: string } } }>(
      "SELECT envelope FROM outbox WHERE type = 'auth.apikey.expiring.v1'")
    const mine = events.rows.map((r) => r.envelope.data).filter((d) => d.keyId === soon.id || d.keyId === later.id)
    expect(mine).toEqual([expect.objectContaining({ keyId: soon.id, userId: user.id, name: 'soon' })])
    const runs = await app.db.query<{ outcome: string, counts: { announced: number } }>("SELECT outcome, counts FROM job_runs WHERE job = 'apikey-expiry-notice' ORDER BY started_at")
    expect(runs.rows.map((r) => r.outcome)).toEqual(['success', 'success'])
    expect(runs.rows[1]!.counts.announced).toBe(0)
    expect((await app.inject({ url: '/metrics' })).body).toMatch(/robbie_job_last_success_timestamp\{[^}]*job="apikey-expiry-notice"[^}]*\} \d/)
  })
})
