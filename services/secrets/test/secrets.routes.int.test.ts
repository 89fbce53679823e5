// The public secrets routes against a cloned database and real Redis (SPEC §5.1, §5.3, §1.1).
import { describe, expect, it, onTestFinished } from 'vitest'
import { createPool } from '@robbie/db'
import { asRole, bearer, buildSecretsApp, codeOf, serviceKey } from './helper.js'
import { makeSecret } from './factories.js'

const { app, ctx, keyFile } = await buildSecretsApp()
const owner = await asRole('owner', '0190a0a0-0000-7000-8000-000000000001')
const admin = await asRole('admin', '0190a0a0-0000-7000-8000-000000000002')
const member = await asRole('member')
const put = async (path: string, payload: object, headers = owner) => await app.inject({ method: 'PUT', url: `/api/secrets/entries/${path}`, headers, payload })
const reveal = async (path: string, headers = owner, payload: object = { reason: 'testing' }) => await app.inject({ method: 'POST', url: `/api/secrets/entries/${path}/reveal`, headers, payload })

describe('writing and reading', () => {
  it('creates (201), updates (200), lists metadata only, and reveals the value with no-store', async () => {
    const created = await put('smtp/password', { value: 'first-password', metadata: { description: 'SMTP relay', tags: ['mail'] }, rotationIntervalDays: 90 })
    expect(created.statusCode).toBe(201)
    expect(created.json()).toMatchObject({ service: 'smtp', name: 'password', scope: 'global', scopeId: '', version: 1, managed: false, visibility: 'company', metadata: { description: 'SMTP relay' } })
    expect(created.json().rotationDueAt).not.toBeNull()
    const updated = await put('smtp/password', { value: 'second-password', ifVersion: 1 })
    expect([updated.statusCode, updated.json().version]).toEqual([200, 2])
    const list = await app.inject({ url: '/api/secrets/entries?service=smtp', headers: admin })
    expect(list.statusCode).toBe(200)
    expect(list.body).not.toContain('second-password')
    const shown = await reveal('smtp/password', admin)
    expect(shown.statusCode).toBe(200)
    expect(shown.headers['cache-control']).toBe('no-store')
    expect(shown.json()).toEqual({ value: 'second-password', version: 2, scope: 'global', scopeId: '' })
    expect((await reveal('smtp/password', admin, { reason: 'old one', version: 1 })).json().value).toBe('first-password')
  })

  it('refuses a stale ifVersion with 409 SECRETS_VERSION_CONFLICT and bad input with 400, changing nothing', async () => {
    await put('smtp/user', { value: 'mailer@example.com' })
    expect(codeOf(await put('smtp/user', { value: 'x-changed', ifVersion: 5 }))).toEqual([409, 'SECRETS_VERSION_CONFLICT'])
    expect(codeOf(await put('smtp/brand-new', { value: 'abc', ifVersion: 1 }))).toEqual([409, 'SECRETS_VERSION_CONFLICT'])
    expect(codeOf(await put('smtp/user', { value: '' }))).toEqual([400, 'SECRETS_VALIDATION_FAILED'])
    expect(codeOf(await put('smtp/user', { value: 'é'.repeat(40000) }))).toEqual([400, 'SECRETS_VALIDATION_FAILED']) // 80,000 bytes
    expect(codeOf(await put('smtp/user', { value: 'v', metadata: { description: 'é'.repeat(2000), url: 'ü'.repeat(2048), tags: Array(4).fill('ß'.repeat(64)) } }))).toEqual([400, 'SECRETS_VALIDATION_FAILED'])
    expect(codeOf(await put('smtp/user', { value: 'v', extra: true }))).toEqual([400, 'SECRETS_VALIDATION_FAILED'])
    expect(codeOf(await put('smtp/user?scope=node', { value: 'v' }))).toEqual([400, 'SECRETS_VALIDATION_FAILED'])
    expect((await app.inject({ url: '/api/secrets/entries/smtp/user', headers: owner })).json().version).toBe(1)
    // a value of exactly 64 KiB is fine
    expect((await put('smtp/big', { value: 'a'.repeat(65536) })).statusCode).toBe(201)
  })

  it('keeps the newest 10 versions and destroys older ones (ciphertext and DEK erased)', async () => {
    for (let i = 1; i <= 12; i++) await put('github/token', { value: `token-number-${i}` })
    const versions = (await app.inject({ url: '/api/secrets/entries/github/token/versions', headers: admin })).json().items as Array<{ version: number, destroyed: boolean }>
    expect(versions.map((v) => [v.version, v.destroyed])).toEqual([...Array(12).keys()].map((i) => [12 - i, 12 - i <= 2]))
    expect(codeOf(await reveal('github/token', owner, { reason: 'old', version: 2 }))).toEqual([410, 'SECRETS_VERSION_DESTROYED'])
    expect((await reveal('github/token', owner, { reason: 'old', version: 3 })).json().value).toBe('token-number-3')
    const { rows } = await app.db.query("SELECT count(*)::int AS n FROM data_keys k JOIN secrets s ON s.id = k.secret_id WHERE s.service = 'github' AND k.wrapped IS NULL AND k.destroyed_at IS NOT NULL")
    expect(rows[0].n).toBe(2)
  })

  it('soft-deletes, restores within 30 days, and answers 410 SECRETS_PURGED after', async () => {
    await put('fireflies/api-key', { value: 'ff-key-123456' })
    expect((await app.inject({ method: 'DELETE', url: '/api/secrets/entries/fireflies/api-key', headers: admin })).statusCode).toBe(204)
    expect((await app.inject({ url: '/api/secrets/entries/fireflies/api-key', headers: admin })).statusCode).toBe(404)
    expect((await app.inject({ url: '/api/secrets/entries?includeDeleted=true&service=fireflies', headers: admin })).json().items[0].deletedAt).not.toBeNull()
    const restored = await app.inject({ method: 'POST', url: '/api/secrets/entries/fireflies/api-key/restore', headers: admin, payload: {} })
    expect([restored.statusCode, restored.json().deletedAt]).toEqual([200, null])
    expect((await reveal('fireflies/api-key')).json().value).toBe('ff-key-123456')

    await app.inject({ method: 'DELETE', url: '/api/secrets/entries/fireflies/api-key', headers: admin })
    const ownerDb = createPool({ connectionString: ctx.db.ownerUrlFor('secrets'), schema: 'secrets', applicationName: 'secrets-test-owner' })
    await ownerDb.query("UPDATE secrets SET deleted_at = now() - interval '31 days' WHERE service = 'fireflies'")
    await ownerDb.end()
    expect(codeOf(await app.inject({ method: 'POST', url: '/api/secrets/entries/fireflies/api-key/restore', headers: admin, payload: {} }))).toEqual([410, 'SECRETS_PURGED'])
    expect(await app.jobs.runOnce('purge-deleted-secrets')).toBe('success')
    const { rows } = await app.db.query("SELECT count(*)::int AS n FROM secret_versions v JOIN secrets s ON s.id = v.secret_id WHERE s.service = 'fireflies' AND v.ciphertext IS NOT NULL")
    expect(rows[0].n).toBe(0)
  })

  it('resolves node → company → global and says which level won', async () => {
    await put('ollama/api-token', { value: 'global-token' })
    const which = async (node?: string) => (await app.inject({ url: `/api/secrets/resolve/ollama/api-token${node ? `?node=${node}` : ''}`, headers: admin })).json()
    expect(await which('gpu-1')).toEqual({ scope: 'global', scopeId: '', version: 1, overrideApplied: null })
    await put('ollama/api-token?scope=company&scopeId=acme', { value: 'company-token' })
    expect(await which('gpu-1')).toMatchObject({ scope: 'company', scopeId: 'acme', overrideApplied: 'company' })
    await put('ollama/api-token?scope=node&scopeId=gpu-1', { value: 'node-token' })
    expect(await which('gpu-1')).toMatchObject({ scope: 'node', scopeId: 'gpu-1', overrideApplied: 'node' })
    expect(await which('gpu-2')).toMatchObject({ scope: 'company' })
    await app.inject({ method: 'DELETE', url: '/api/secrets/entries/ollama/api-token?scope=node&scopeId=gpu-1', headers: admin })
    expect(await which('gpu-1')).toMatchObject({ scope: 'company' }) // deleted entries are skipped
  })

  it('writes secrets.secret.updated.v1 and .deleted.v1 through the outbox, without the value', async () => {
    await put('slack/bot-token', { value: 'xoxb-outbox-canary' })
    await app.inject({ method: 'DELETE', url: '/api/secrets/entries/slack/bot-token', headers: owner })
    const { rows } = await app.db.query<{ type: string, envelope: { data: Record<string, unknown> } }>("SELECT type, envelope FROM outbox WHERE envelope->'data'->>'secretId' = (SELECT id::text FROM secrets WHERE service = 'slack' AND name = 'bot-token')")
    expect(rows.map((r) => r.type).sort()).toEqual(['secrets.secret.deleted.v1', 'secrets.secret.updated.v1'])
    expect(rows.find((r) => r.type.endsWith('updated.v1'))!.envelope.data).toMatchObject({ service: 'slack', name: 'bot-token', scope: 'global', scopeId: '', version: 1, managed: false })
    expect(JSON.stringify(rows)).not.toContain('xoxb-outbox-canary')
  })
})

describe('who may do what (SPEC §1.1, §5.1)', () => {
  it('gives members 403 on list and action routes and 404 on every route that names an entry', async () => {
    await put('smtp/host', { value: 'smtp.example.com' })
    expect(codeOf(await app.inject({ url: '/api/secrets/entries', headers: member }))).toEqual([403, 'SECRETS_FORBIDDEN'])
    expect(codeOf(await app.inject({ method: 'POST', url: '/api/secrets/master-key/rotate', headers: member, payload: {} }))).toEqual([403, 'SECRETS_FORBIDDEN'])
    expect(codeOf(await app.inject({ method: 'POST', url: '/api/secrets/unseal', headers: member, payload: { key: 'x' } }))).toEqual([403, 'SECRETS_FORBIDDEN'])
    for (const [method, url, payload] of [
      ['GET', '/api/secrets/entries/smtp/host'], ['GET', '/api/secrets/entries/smtp/host/versions'],
      ['POST', '/api/secrets/entries/smtp/host/reveal', { reason: 'curious' }], ['PUT', '/api/secrets/entries/smtp/host', { value: 'mine now' }],
      ['DELETE', '/api/secrets/entries/smtp/host'], ['POST', '/api/secrets/entries/smtp/host/restore', {}], ['GET', '/api/secrets/resolve/smtp/host'],
      ['GET', '/api/secrets/entries/smtp/does-not-exist']
    ] as const) {
      expect(codeOf(await app.inject({ method, url, headers: member, ...(payload ? { payload } : {}) })), `${method} ${url}`).toEqual([404, 'SECRETS_NOT_FOUND'])
    }
    expect((await app.inject({ url: '/api/secrets/seal-status', headers: member })).json()).toMatchObject({ sealed: false })
    expect((await app.inject({ url: '/api/secrets/entries/smtp/host', headers: owner })).json().version).toBe(1)
  })

  it('lets nobody but the owner reveal an owner-visibility secret, or take it out of owner visibility', async () => {
    await put('smtp/owner-only', { value: 'for-the-owner-only', visibility: 'owner' })
    expect(codeOf(await reveal('smtp/owner-only', admin))).toEqual([403, 'SECRETS_FORBIDDEN'])
    expect(codeOf(await put('smtp/owner-only', { value: 'admin-write', visibility: 'company' }, admin))).toEqual([403, 'SECRETS_FORBIDDEN'])
    expect(codeOf(await reveal('smtp/owner-only', admin, { reason: 'old one', version: 1 }))).toEqual([403, 'SECRETS_FORBIDDEN'])
    expect((await app.inject({ url: '/api/secrets/entries/smtp/owner-only', headers: admin })).json().visibility).toBe('owner') // metadata is fine
    expect((await reveal('smtp/owner-only', owner)).json().value).toBe('for-the-owner-only')
    const { rows } = await app.db.query("SELECT count(*)::int AS n FROM audit_events WHERE action = 'access.denied' AND details->>'code' = 'SECRETS_FORBIDDEN'")
    expect(rows[0].n).toBeGreaterThanOrEqual(2)
  })

  it('keeps managed secrets away from people: 403 SECRETS_MANAGED on reveal and edit, delete allowed', async () => {
    const sync = serviceKey('integration-sync')
    const managed = await app.inject({ method: 'PUT', url: '/internal/secrets/managed', headers: bearer(sync), payload: { service: 'google', name: 'refresh-token', value: 'ya29.refresh-token-value' } })
    expect(managed.statusCode).toBe(201)
    expect(codeOf(await reveal('google/refresh-token', owner))).toEqual([403, 'SECRETS_MANAGED'])
    expect(codeOf(await put('google/refresh-token', { value: 'hijack' }))).toEqual([403, 'SECRETS_MANAGED'])
    expect((await app.inject({ method: 'DELETE', url: '/api/secrets/entries/google/refresh-token', headers: owner })).statusCode).toBe(204)
  })

  it('audits each reveal before the value leaves, with no value in the row', async () => {
    await put('github/app-key', { value: 'gh-app-key-audited' })
    const res = await reveal('github/app-key', admin, { reason: 'rotate webhook' })
    const { rows } = await app.db.query("SELECT actor_id, outcome, details FROM audit_events WHERE action = 'secrets.reveal' AND request_id = $1", [res.headers['x-request-id']])
    expect(rows).toEqual([{ actor_id: '0190a0a0-0000-7000-8000-000000000002', outcome: 'success', details: expect.objectContaining({ version: 1, reason: 'rotate webhook' }) }])
    expect(JSON.stringify(rows)).not.toContain('gh-app-key-audited')
  })
})

describe('caching', () => {
  it('evicts every instance on a write (resolution metadata in Redis, values in memory)', async () => {
    const second = await buildSecretsApp({ ctx, cleanup: onTestFinished, masterKeyFile: keyFile })
    expect(second.app.keyring.sealed).toBe(false)
    const bot = serviceKey('slack-bot')
    await makeSecret(app, { service: 'slack', name: 'signing-secret' }, { value: 'signing-secret-one' })
    const resolve = async (on: typeof app) => (await on.inject({ method: 'POST', url: '/internal/secrets/resolve', headers: bearer(bot), payload: { service: 'slack', name: 'signing-secret' } })).json()
    expect(await resolve(app)).toMatchObject({ value: 'signing-secret-one', version: 1 })
    expect(await resolve(second.app)).toMatchObject({ value: 'signing-secret-one', version: 1 })
    expect((await put('slack/signing-secret', { value: 'signing-secret-two' }, owner)).statusCode).toBe(200)
    expect(await resolve(second.app)).toMatchObject({ value: 'signing-secret-two', version: 2 })
    expect(await resolve(app)).toMatchObject({ value: 'signing-secret-two', version: 2 })
  })
})
