// SPEC §2.3: the key format, verification order, scopes, revocation everywhere, rotation, service and node keys.
import { describe, expect, it } from 'vitest'
import { API_KEY_RE, BASE62, uuidv7 } from '@robbie/contracts'
import { createHints } from '@robbie/bus'
import { mintAccessToken } from '@robbie/testing'
import { checkKeyFormat, createApiKeyVerifier, insertServiceKeyHmacs, revokedHintChannel, revokedSetKey } from '../src/modules/keys/index.js'
import { bearer, buildKeysApp, verifyKey } from './keys.helper.js'
import { makeUser } from './factories.js'

const VECTOR = 'robbie_pat_K7d2QmX9aB3cZx81LmQp0Rt5Vw2Ny6Hs4Jk9Df3Ga7Pe3vdDHK'
const { app, ctx, pepper, svc } = await buildKeysApp()
const owner = await makeUser(app, { role: 'owner' })
const ownerToken = await mintAccessToken({ sub: owner.id, role: 'owner' })

async function userWithToken (role: 'admin' | 'member' = 'member') {
  const user = await makeUser(app, { role })
  return { user, token: await mintAccessToken({ sub: user.id, role }) }
}
async function createKey (token: string, payload: Record<string, unknown>) {
  return await app.inject({ method: 'POST', url: '/api/auth/keys', headers: bearer(token), payload })
}
async function auditRows (action: string) {
  const { rows } = await app.db.query<{ resource_id: string | null, outcome: string, details: Record<string, unknown> }>(
    'SELECT resource_id, outcome, details FROM audit_events WHERE action = $1 ORDER BY seq', [action])
  return rows
}

describe('key format', () => {
  it("passes SPEC's test vector and fails it with any one character changed", () => {
    expect(checkKeyFormat(VECTOR)).toEqual({ ok: true, type: 'pat', id: 'K7d2QmX9aB3c' })
    const prefix = 'robbie_pat_'.length
    for (let i = prefix; i < VECTOR.length; i++) {
      const other = BASE62[(BASE62.indexOf(VECTOR[i]!) + 1) % 62]!
      const changed = VECTOR.slice(0, i) + other + VECTOR.slice(i + 1)
      expect(API_KEY_RE.test(changed)).toBe(true) // still the right shape…
      expect(checkKeyFormat(changed)).toEqual({ ok: false, reason: 'checksum' }) // …but the checksum fails
    }
    expect(checkKeyFormat(VECTOR.replace('_pat_', '_xyz_'))).toEqual({ ok: false, reason: 'malformed' })
  })

  it('refuses a bad-checksum key without any database query', async () => {
    let queries = 0
    const verifier = createApiKeyVerifier({ pool: { query: (() => { queries++; throw new Error('no query expected') }) as never }, pepper })
    const bad = VECTOR.slice(0, -1) + (VECTOR.endsWith('K') ? 'L' : 'K')
    expect(await verifier.verify(bad)).toEqual({ ok: false, reason: 'checksum' })
    expect(await verifier.verify('robbie_pat_short')).toEqual({ ok: false, reason: 'malformed' })
    expect(queries).toBe(0)
    // through the route: 401, and no audit row (nothing named a real key)
    const before = (await auditRows('auth.key.check')).length
    const res = await verifyKey(app, svc.chat!, bad)
    expect([res.statusCode, res.json().error.code]).toEqual([401, 'AUTH_UNAUTHENTICATED'])
    expect((await auditRows('auth.key.check')).length).toBe(before)
  })
})

describe('personal keys', () => {
  it('create → verify → revoke → refused everywhere (revoked set + hint)', async () => {
    const { user, token } = await userWithToken()
    const created = await createKey(token, { name: 'laptop', scopes: ['auth:read', 'chat:read'] })
    expect(created.statusCode).toBe(201)
    const body = created.json<{ id: string, key: string, name: string, scopes: string[], createdAt: string, expiresAt: string }>()
    expect(body.key).toMatch(API_KEY_RE)
    expect(body.key.slice(11, 23)).toBe(body.id)
    expect(Date.parse(body.expiresAt) - Date.parse(body.createdAt)).toBeGreaterThan(89 * 86_400_000)
    // only the HMAC is stored
    const { rows } = await app.db.query<{ key_hmac: Buffer }>('SELECT key_hmac FROM api_keys WHERE id = $1', [body.id])
    expect(rows[0]!.key_hmac.length).toBe(32)
    expect(rows[0]!.key_hmac.toString('hex')).not.toContain(Buffer.from(body.key).toString('hex'))

    const ok = await verifyKey(app, svc.chat!, body.key)
    expect(ok.statusCode).toBe(200)
    expect(ok.json()).toEqual({ identity: { kind: 'user', id: user.id, role: 'member', scopes: ['auth:read', 'chat:read'], keyId: body.id }, expiresAt: body.expiresAt })
    // the key works on auth's own routes (verified in-process)
    const listed = await app.inject({ method: 'GET', url: '/api/auth/keys', headers: bearer(body.key) })
    expect(listed.statusCode).toBe(200)
    expect(listed.json().items[0]).toMatchObject({ id: body.id, name: 'laptop', prefix: `robbie_pat_${body.id}`, revokedAt: null })

    // the kit's subscriber reads the hint through bus.hints (JSON messages): listen the same way
    const hints = createHints({ redis: app.redis })
    const messages: unknown[] = []
    await hints.subscribe('apikey-revoked', (message) => { messages.push(message) })
    expect(app.redis.keys.hint('apikey-revoked')).toBe(revokedHintChannel(ctx.prefix))
    try {
      const del = await app.inject({ method: 'DELETE', url: `/api/auth/keys/${body.id}`, headers: bearer(token) })
      expect(del.statusCode).toBe(204)
      expect(await app.redis.client.sismember(revokedSetKey(ctx.prefix), body.id)).toBe(1)
      await expect.poll(() => messages).toEqual([body.id])
    } finally {
      await hints.close()
    }
    const refused = await verifyKey(app, svc.chat!, body.key)
    expect(refused.statusCode).toBe(401)
    expect((await app.inject({ method: 'GET', url: '/api/auth/keys', headers: bearer(body.key) })).statusCode).toBe(401)
    // the failed check is audited with the key's HMAC, never the key or its id
    const check = (await auditRows('auth.key.check')).at(-1)!
    expect(check.outcome).toBe('failed')
    expect(check.details).toEqual({ reason: 'revoked' })
    expect(JSON.stringify(check)).not.toContain(body.id)
    const events = await app.db.query<{ type: string }>("SELECT type FROM outbox WHERE envelope->'data'->>'keyId' = $1 ORDER BY id", [body.id])
    expect(events.rows.map((r) => r.type)).toEqual(['auth.apikey.created.v1', 'auth.apikey.revoked.v1'])
  })

  it('refuses scopes beyond the role (403) and unknown scopes (400), creating nothing', async () => {
    const { user, token } = await userWithToken()
    const over = await createKey(token, { name: 'too much', scopes: ['chat:read', 'secrets:reveal'] })
    expect([over.statusCode, over.json().error.code]).toEqual([403, 'AUTH_SCOPE_EXCEEDS_ROLE'])
    const unknown = await createKey(token, { name: 'typo', scopes: ['chat:reed'] })
    expect([unknown.statusCode, unknown.json().error.code]).toEqual([400, 'AUTH_UNKNOWN_SCOPE'])
    const svcScope = await createKey(ownerToken, { name: 'heartbeat', scopes: ['gpu-coordinator:heartbeat'] })
    expect(svcScope.statusCode).toBe(403)
    const { rows } = await app.db.query('SELECT id FROM api_keys WHERE user_id = $1', [user.id])
    expect(rows).toEqual([])
  })

  it("shrinks a key's scopes when its user's role shrinks", async () => {
    const { user, token } = await userWithToken('admin')
    const key = (await createKey(token, { name: 'ops', scopes: ['auth:admin', 'chat:read', 'secrets:read'] })).json<{ key: string }>().key
    expect((await verifyKey(app, svc.chat!, key)).json().identity.scopes).toEqual(['auth:admin', 'chat:read', 'secrets:read'])
    const demoted = await app.inject({ method: 'PATCH', url: `/api/auth/users/${user.id}`, headers: bearer(ownerToken), payload: { role: 'member' } })
    expect(demoted.statusCode).toBe(200)
    expect((await verifyKey(app, svc.chat!, key)).json().identity).toMatchObject({ role: 'member', scopes: ['chat:read'] })
  })

  it('lets admins revoke members\' keys, not other admins\'; members never see others\'', async () => {
    const member = await userWithToken()
    const admin = await userWithToken('admin')
    const otherAdmin = await userWithToken('admin')
    const memberKey = (await createKey(member.token, { name: 'm', scopes: ['chat:read'] })).json<{ id: string }>().id
    const adminKey = (await createKey(otherAdmin.token, { name: 'a', scopes: ['chat:read'] })).json<{ id: string }>().id
    expect((await app.inject({ method: 'DELETE', url: `/api/auth/keys/${adminKey}`, headers: bearer(member.token) })).statusCode).toBe(404)
    // another admin's key is not an admin's to know of (SPEC §1.1): 404, like a missing one
    expect((await app.inject({ method: 'DELETE', url: `/api/auth/keys/${adminKey}`, headers: bearer(admin.token) })).statusCode).toBe(404)
    expect((await app.inject({ method: 'GET', url: `/api/auth/keys?userId=${otherAdmin.user.id}`, headers: bearer(admin.token) })).statusCode).toBe(404)
    expect((await app.inject({ method: 'GET', url: `/api/auth/keys?userId=${admin.user.id}`, headers: bearer(member.token) })).statusCode).toBe(403)
    expect((await app.inject({ method: 'GET', url: `/api/auth/keys?userId=${member.user.id}`, headers: bearer(admin.token) })).json().items[0].id).toBe(memberKey)
    expect((await app.inject({ method: 'DELETE', url: `/api/auth/keys/${memberKey}`, headers: bearer(admin.token) })).statusCode).toBe(204)
    expect((await app.inject({ method: 'DELETE', url: `/api/auth/keys/${adminKey}`, headers: bearer(ownerToken) })).statusCode).toBe(204)
  })

  it('rotates: the old key works until the grace ends, then only the new one', async () => {
    const { token } = await userWithToken()
    const first = (await createKey(token, { name: 'ci', scopes: ['chat:read'], expiresInDays: 30 })).json<{ id: string, key: string }>()
    const rotated = await app.inject({ method: 'POST', url: `/api/auth/keys/${first.id}/rotate`, headers: bearer(token), payload: { graceHours: 2 } })
    expect(rotated.statusCode).toBe(201)
    const second = rotated.json<{ id: string, key: string, name: string, expiresAt: string, createdAt: string }>()
    expect(second.name).toBe('ci')
    expect(Math.round((Date.parse(second.expiresAt) - Date.parse(second.createdAt)) / 86_400_000)).toBe(30)
    const old = await verifyKey(app, svc.chat!, first.key)
    expect(old.statusCode).toBe(200)
    expect(Date.parse(old.json().expiresAt) - Date.now()).toBeLessThanOrEqual(2 * 3_600_000)
    expect((await verifyKey(app, svc.chat!, second.key)).statusCode).toBe(200)
    // after the grace (a verifier whose clock is 3 h ahead): the old key is refused, the new one is not
    const later = createApiKeyVerifier({ pool: app.db, pepper, now: () => new Date(Date.now() + 3 * 3_600_000) })
    expect(await later.verify(first.key)).toMatchObject({ ok: false, reason: 'expired' })
    expect(await later.verify(second.key)).toMatchObject({ ok: true })
    // a rotated key cannot be rotated again; grace 0 ends the old key at once
    expect((await app.inject({ method: 'POST', url: `/api/auth/keys/${first.id}/rotate`, headers: bearer(token), payload: {} })).statusCode).toBe(409)
    const third = (await app.inject({ method: 'POST', url: `/api/auth/keys/${second.id}/rotate`, headers: bearer(token), payload: { graceHours: 0 } })).json<{ key: string }>()
    expect((await verifyKey(app, svc.chat!, second.key)).statusCode).toBe(401)
    expect((await verifyKey(app, svc.chat!, third.key)).statusCode).toBe(200)
    expect(await app.redis.client.sismember(revokedSetKey(ctx.prefix), second.id)).toBe(1)
  })

  it("revokes a disabled user's keys", async () => {
    const { user, token } = await userWithToken()
    const key = (await createKey(token, { name: 'k', scopes: ['chat:read'] })).json<{ id: string, key: string }>()
    const res = await app.inject({ method: 'PATCH', url: `/api/auth/users/${user.id}`, headers: bearer(ownerToken), payload: { status: 'disabled' } })
    expect(res.statusCode).toBe(200)
    expect((await verifyKey(app, svc.chat!, key.key)).statusCode).toBe(401)
    await expect.poll(async () => await app.redis.client.sismember(revokedSetKey(ctx.prefix), key.id)).toBe(1)
  })
})

describe('service and node identities', () => {
  it('verifies a bootstrap service key to svc:<name>, idempotently inserted', async () => {
    const res = await verifyKey(app, svc['gpu-coordinator']!, svc.chat!)
    expect(res.statusCode).toBe(200)
    expect(res.json()).toEqual({ identity: { kind: 'service', id: 'svc:chat', scopes: [], keyId: svc.chat!.slice(11, 23) }, expiresAt: null })
    const again = await insertServiceKeyHmacs(app.db, pepper, [{ service: 'chat', id: svc.chat!.slice(11, 23), key: svc.chat! }])
    expect(again).toEqual({ inserted: [], revoked: [] })
    // a user's access token is not a service identity
    const user = await mintAccessToken({ sub: uuidv7(), role: 'owner' })
    expect((await verifyKey(app, user, svc.chat!)).statusCode).toBe(403)
  })

  it('mints and revokes GPU node keys for the coordinator only', async () => {
    const denied = await app.inject({ method: 'POST', url: '/internal/auth/node-keys', headers: bearer(svc.chat!), payload: { nodeName: 'gpu-1' } })
    expect(denied.statusCode).toBe(403)
    const minted = await app.inject({ method: 'POST', url: '/internal/auth/node-keys', headers: bearer(svc['gpu-coordinator']!), payload: { nodeName: 'gpu-1' } })
    expect(minted.statusCode).toBe(201)
    const { keyId, key } = minted.json<{ keyId: string, key: string }>()
    expect(key.startsWith(`robbie_svc_${keyId}`)).toBe(true)
    expect((await verifyKey(app, svc.chat!, key)).json().identity).toEqual({ kind: 'node', id: 'node:gpu-1', scopes: ['gpu-coordinator:heartbeat'], keyId })
    const del = await app.inject({ method: 'DELETE', url: '/internal/auth/node-keys/gpu-1', headers: bearer(svc['gpu-coordinator']!) })
    expect(del.statusCode).toBe(204)
    expect((await verifyKey(app, svc.chat!, key)).statusCode).toBe(401)
  })
})
