// Sealed mode (SPEC §5.2): without a usable master key the service starts sealed; only healthz, readyz, seal-status
// and unseal answer; unseal takes the right key only, is audited both ways, and never records the key.
import { randomBytes } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { describe, expect, it, onTestFinished } from 'vitest'
import { ConfigError, loadConfig } from '@robbie/service-kit'
import { testContext } from '@robbie/testing'
import { createApp } from '../src/app.js'
import { configSchema } from '../src/config.js'
import { asRole, bearer, buildSecretsApp, codeOf, masterKey, serviceKey } from './helper.js'
import { makeSecret } from './factories.js'

const ctx = await testContext('secrets', { ROBBIE_RATE_LIMIT_MULTIPLIER: '1000', LOG_LEVEL: 'info' })
const right = masterKey()
// the first key the store sees is recorded (check value), with one secret under it
const first = await buildSecretsApp({ ctx, masterKeyFile: right.file })
await makeSecret(first.app, { service: 'smtp', name: 'password' }, { value: 'sealed-away-value' })
await first.app.close()

const owner = await asRole('owner')
const admin = await asRole('admin')

describe('sealed mode', () => {
  it('starts sealed without a key: readyz fails on seal, every other route is 503 SECRETS_SEALED', async () => {
    const { app, logs } = await buildSecretsApp({ ctx, cleanup: onTestFinished, masterKeyFile: null })
    expect((await app.inject({ url: '/api/secrets/healthz' })).statusCode).toBe(200)
    const ready = await app.inject({ url: '/api/secrets/readyz' })
    expect(ready.statusCode).toBe(503)
    expect(ready.json().checks.seal).toMatchObject({ ok: false })
    expect(ready.json().checks.postgres).toEqual({ ok: true })
    expect((await app.inject({ url: '/api/secrets/seal-status', headers: admin })).json()).toMatchObject({ sealed: true, reason: 'missing_key', masterKeyId: null })
    const svc = bearer(serviceKey('slack-bot'))
    for (const [method, url, headers, payload] of [
      ['GET', '/api/secrets/entries', owner], ['GET', '/api/secrets/entries/smtp/password', owner],
      ['POST', '/api/secrets/entries/smtp/password/reveal', owner, { reason: 'sealed?' }], ['PUT', '/api/secrets/entries/smtp/password', owner, { value: 'new' }],
      ['POST', '/api/secrets/master-key/rotate', owner, {}], ['GET', '/api/secrets/openapi.json', owner],
      ['POST', '/internal/secrets/resolve', svc, { service: 'slack', name: 'bot-token' }], ['GET', '/api/secrets/admin/dead-letters', owner]
    ] as const) {
      const res = await app.inject({ method, url, headers, ...(payload ? { payload } : {}) })
      expect(codeOf(res), `${method} ${url}`).toEqual([503, 'SECRETS_SEALED'])
      expect(res.headers['retry-after']).toBeDefined()
    }
    // no credential is still 401 first, and nothing was written in plaintext or re-keyed
    expect((await app.inject({ url: '/api/secrets/entries' })).statusCode).toBe(401)
    expect((await app.db.query('SELECT count(*)::int AS n FROM master_key_checks')).rows[0].n).toBe(1)
    expect(logs.text()).toContain('sealed')
  })

  it('unseals with the right key only (owner, audited both ways, never the key)', async () => {
    const { app } = await buildSecretsApp({ ctx, cleanup: onTestFinished, masterKeyFile: null })
    const wrong = randomBytes(32).toString('base64')
    const unseal = async (key: string, headers = owner) => await app.inject({ method: 'POST', url: '/api/secrets/unseal', headers, payload: { key } })
    expect(codeOf(await unseal(right.key, admin))).toEqual([403, 'SECRETS_FORBIDDEN'])
    expect(codeOf(await unseal(wrong))).toEqual([422, 'SECRETS_KEY_MISMATCH'])
    expect(codeOf(await unseal('c2hvcnQ='))).toEqual([422, 'SECRETS_KEY_MISMATCH'])
    const ok = await unseal(right.key)
    expect(ok.statusCode).toBe(200)
    expect(ok.json()).toMatchObject({ sealed: false, dataKeys: 1 })
    expect(codeOf(await unseal(right.key))).toEqual([409, 'SECRETS_NOT_SEALED'])
    expect((await app.inject({ url: '/api/secrets/readyz' })).statusCode).toBe(200)
    const shown = await app.inject({ method: 'POST', url: '/api/secrets/entries/smtp/password/reveal', headers: owner, payload: { reason: 'after unseal' } })
    expect(shown.json().value).toBe('sealed-away-value')
    const { rows } = await app.db.query("SELECT outcome, details FROM audit_events WHERE action = 'secrets.unseal' ORDER BY seq")
    expect(rows.map((r) => r.outcome)).toEqual(['failed', 'failed', 'success', 'failed'])
    const dump = JSON.stringify((await app.db.query('SELECT * FROM audit_events')).rows)
    for (const k of [right.key, wrong, Buffer.from(right.key, 'base64').toString('hex')]) expect(dump).not.toContain(k)
  })

  it('stays sealed with a wrong key (key_mismatch) or one of the wrong length (bad_key_length)', async () => {
    const other = await buildSecretsApp({ ctx, cleanup: onTestFinished, masterKeyFile: masterKey().file })
    expect(other.app.keyring.status()).toMatchObject({ sealed: true, reason: 'key_mismatch' })
    const short = masterKey()
    writeFileSync(short.file, randomBytes(16).toString('base64'))
    const bad = await buildSecretsApp({ ctx, cleanup: onTestFinished, masterKeyFile: short.file })
    expect((await bad.app.inject({ url: '/api/secrets/seal-status', headers: owner })).json()).toMatchObject({ sealed: true, reason: 'bad_key_length' })
    expect(codeOf(await bad.app.inject({ url: '/api/secrets/entries', headers: owner }))).toEqual([503, 'SECRETS_SEALED'])
  })

  it('refuses a key given both as a file and as a value (a configuration error)', async () => {
    const config = loadConfig(configSchema, { ...ctx.env, ROBBIE_SECRETS_MASTER_KEY_FILE: right.file, ROBBIE_SECRETS_MASTER_KEY: right.key })
    await expect(createApp(config)).rejects.toBeInstanceOf(ConfigError)
  })

  it('starts from the environment variable as well as from a file', async () => {
    const { app } = await buildSecretsApp({ ctx, cleanup: onTestFinished, masterKeyFile: null, env: { ROBBIE_SECRETS_MASTER_KEY: right.key } })
    expect((await app.inject({ url: '/api/secrets/readyz' })).statusCode).toBe(200)
  })
})
