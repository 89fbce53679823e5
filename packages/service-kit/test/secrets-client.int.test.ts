// The kit's secrets client against a REAL secrets service (its createApp on a port, a master key file of its own,
// the same database clone and Redis prefix): resolve with the caller's service key, a memory cache (≤ 300 s)
// that makes no second call, eviction on secrets.secret.updated.v1 / .deleted.v1 through the caller's consumer
// group, 403 for another namespace, and a coded 503 when secrets is unreachable or sealed. Calls to secrets are
// counted by its audit rows (every resolve is audited, SPEC §5.3).
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { describe, expect, it } from 'vitest'
import { buildTestApp, captureLogs, mintAccessToken, serviceEnv } from '@robbie/testing'
import { createSecretsClient, createService, defineConfig, loadConfig, type SecretsClient } from '../src/index.js'
import { buildSecretsApp, serviceKey } from '../../../services/secrets/test/helper.js'

const secrets = await buildSecretsApp()
const secretsUrl = await secrets.app.listen({ host: '127.0.0.1', port: 0 })
const dir = mkdtempSync(join(tmpdir(), 'robbie-secrets-client-'))
const keyFile = join(dir, 'svc-gpu-coordinator.key')
writeFileSync(keyFile, serviceKey('gpu-coordinator'), { mode: 0o600 })

// The calling service: gpu-coordinator may resolve `ollama` (SPEC §5.3); it evicts through its own consumer group.
const callerLogs = captureLogs()
let client!: SecretsClient
const caller: FastifyInstance = await buildTestApp(async () => {
  const env = serviceEnv('gpu-coordinator', secrets.ctx.db, secrets.ctx.prefix, { LOG_LEVEL: 'info' })
  const app = await createService({
    name: 'gpu-coordinator',
    config: loadConfig(defineConfig({}), env),
    serviceDir: join(import.meta.dirname, '..', '..', '..', 'services', 'gpu-coordinator'),
    deps: { logDestination: callerLogs.stream }
  })
  client = createSecretsClient({ service: 'gpu-coordinator', secretsUrl, serviceKeyFile: keyFile, bus: app.bus })
  return app
})

const owner = { authorization: `Bearer ${await mintAccessToken({ role: 'owner' })}` }
/** Writes go through the secrets API, so the service's own caches are evicted as in production. */
async function put (name: string, body: Record<string, unknown>, service = 'ollama'): Promise<void> {
  const res = await secrets.app.inject({ method: 'PUT', url: `/api/secrets/entries/${service}/${name}`, headers: owner, payload: body })
  expect(res.statusCode).toBeLessThan(300)
  await settled()
}
/** Until the caller's consumer group has handled every secrets event written so far (its inbox rows). */
async function settled (): Promise<void> {
  const ids = (await secrets.app.db.query<{ id: string }>("SELECT id FROM outbox WHERE type LIKE 'secrets.secret.%' AND type <> 'secrets.secret.rotation-due.v1'")).rows.map((r) => r.id)
  await until(async () => {
    const { rowCount } = await caller.db.query('SELECT 1 FROM consumed_events WHERE event_id = ANY($1)', [ids])
    return rowCount === ids.length ? true : undefined
  })
}
async function resolves (name: string): Promise<number> {
  const { rows } = await secrets.app.db.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM audit_events WHERE action = 'secrets.resolve' AND resource_id = $1 AND actor_id = 'svc:gpu-coordinator'", [`ollama/${name}`])
  return rows[0]!.n
}
async function until<T> (probe: () => Promise<T | undefined>, ms = 15_000): Promise<T> {
  const end = Date.now() + ms
  for (;;) {
    const value = await probe()
    if (value !== undefined) return value
    if (Date.now() > end) throw new Error('timed out waiting')
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}
const failure = async (p: Promise<unknown>) => await p.then(() => { throw new Error('expected a rejection') }, (err: { code: string, statusCode: number, message: string }) => err)

describe('the secrets client', () => {
  it('resolves with the service key, then serves from memory without a second call', async () => {
    await put('api-token', { value: 'ollama-token-value-1' })
    expect(await client.get('ollama', 'api-token')).toEqual({ value: 'ollama-token-value-1', version: 1, expiresAt: null })
    expect(await resolves('api-token')).toBe(1)
    expect(await client.get('ollama', 'api-token')).toEqual({ value: 'ollama-token-value-1', version: 1, expiresAt: null })
    await Promise.all([1, 2, 3].map(async () => await client.get('ollama', 'api-token')))
    expect(await resolves('api-token')).toBe(1)
  })

  it('shares one call between concurrent misses', async () => {
    await put('concurrent', { value: 'concurrent-value-1' })
    const got = await Promise.all([1, 2, 3, 4].map(async () => await client.get('ollama', 'concurrent')))
    expect(got.map((g) => g.value)).toEqual(Array(4).fill('concurrent-value-1'))
    expect(await resolves('concurrent')).toBe(1)
  })

  it('is evicted by secrets.secret.updated.v1 and then reads the new version', async () => {
    await put('rotated', { value: 'rotated-value-v1' })
    expect((await client.get('ollama', 'rotated')).version).toBe(1)
    const v2 = await secrets.app.inject({ method: 'PUT', url: '/api/secrets/entries/ollama/rotated', headers: owner, payload: { value: 'rotated-value-v2' } })
    expect(v2.statusCode).toBe(200)
    // cached v1 until the event arrives (the TTL is 300 s: only the event can evict it within this test)
    const fresh = await until(async () => { const r = await client.get('ollama', 'rotated'); return r.version === 2 ? r : undefined })
    expect(fresh).toEqual({ value: 'rotated-value-v2', version: 2, expiresAt: null })
    expect(await resolves('rotated')).toBe(2)
    const updated = await secrets.app.db.query<{ id: string }>("SELECT id FROM outbox WHERE type = 'secrets.secret.updated.v1'")
    const consumed = await caller.db.query('SELECT 1 FROM consumed_events WHERE event_id = ANY($1)', [updated.rows.map((r) => r.id)])
    expect(consumed.rowCount).toBeGreaterThan(0) // through gpu-coordinator's own consumer group and inbox
  })

  it('is evicted by secrets.secret.deleted.v1: the next get is a 404', async () => {
    await put('doomed', { value: 'doomed-value-123' })
    expect((await client.get('ollama', 'doomed')).value).toBe('doomed-value-123')
    expect((await secrets.app.inject({ method: 'DELETE', url: '/api/secrets/entries/ollama/doomed', headers: owner })).statusCode).toBe(204)
    const err = await until(async () => await client.get('ollama', 'doomed').then(() => undefined, (e: { code: string, statusCode: number }) => e))
    expect([err.statusCode, err.code]).toEqual([404, 'GPU_COORDINATOR_NOT_FOUND'])
  })

  it('drops values on evict() and keeps expiresAt', async () => {
    const expiresAt = new Date(Date.now() + 86_400_000).toISOString()
    await put('expiring', { value: 'expiring-value-1', expiresAt })
    expect(await client.get('ollama', 'expiring')).toEqual({ value: 'expiring-value-1', version: 1, expiresAt })
    client.evict('ollama', 'expiring')
    await client.get('ollama', 'expiring')
    expect(await resolves('expiring')).toBe(2)
    client.evict()
    expect(client.size()).toBe(0)
  })

  it("answers 403 for another service's namespace and 404 for a missing name", async () => {
    await put('token', { value: 'github-token-value' }, 'github')
    const forbidden = await failure(client.get('github', 'token'))
    expect([forbidden.statusCode, forbidden.code]).toEqual([403, 'GPU_COORDINATOR_FORBIDDEN'])
    const missing = await failure(client.get('ollama', 'no-such-name'))
    expect([missing.statusCode, missing.code]).toEqual([404, 'GPU_COORDINATOR_NOT_FOUND'])
  })

  it('answers a coded 503 when secrets is unreachable or sealed', async () => {
    const away = createSecretsClient({ service: 'gpu-coordinator', secretsUrl: 'http://127.0.0.1:1', serviceKeyFile: keyFile, timeoutMs: 500 })
    const down = await failure(away.get('ollama', 'api-token'))
    expect([down.statusCode, down.code]).toEqual([503, 'GPU_COORDINATOR_UNAVAILABLE'])

    const sealedApp = await buildSecretsApp({ ctx: secrets.ctx, masterKeyFile: null })
    const sealedUrl = await sealedApp.app.listen({ host: '127.0.0.1', port: 0 })
    const sealed = await failure(createSecretsClient({ service: 'gpu-coordinator', secretsUrl: sealedUrl, serviceKeyFile: keyFile }).get('ollama', 'api-token'))
    expect([sealed.statusCode, sealed.code]).toEqual([503, 'GPU_COORDINATOR_UNAVAILABLE'])
    expect(sealed.message).toContain('sealed')
  })

  it('refuses a cache lifetime over 300 s', () => {
    expect(() => createSecretsClient({ service: 'gpu-coordinator', secretsUrl, serviceKeyFile: keyFile, ttlMs: 300_001 })).toThrow(/300/)
  })

  it('never logs a value', () => {
    expect(secrets.logs.lines.length).toBeGreaterThan(0)
    for (const value of ['ollama-token-value-1', 'rotated-value-v2', 'github-token-value']) {
      expect(callerLogs.text()).not.toContain(value)
      expect(secrets.logs.text()).not.toContain(value)
    }
  })
})
