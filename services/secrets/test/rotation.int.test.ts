// Online master-key rotation (SPEC §5.2, §5.3): with the new key current and the old one previous, every DEK is
// re-wrapped while 4 readers reveal in a loop and a writer writes; no read fails or returns a wrong value.
// Afterwards every DEK names the new key, the old key is retired, matching still works, and a restart with the
// new key alone is unsealed.
import { describe, expect, it, onTestFinished } from 'vitest'
import { testContext } from '@robbie/testing'
import { masterKeyId } from '../src/modules/secrets/envelope.js'
import { asRole, bearer, buildSecretsApp, codeOf, masterKey, serviceKey } from './helper.js'
import { makeSecret } from './factories.js'

const ctx = await testContext('secrets', { ROBBIE_RATE_LIMIT_MULTIPLIER: '1000', LOG_LEVEL: 'info' })
const oldKey = masterKey()
const newKey = masterKey()
const owner = await asRole('owner')
const N = 400

const before = await buildSecretsApp({ ctx, masterKeyFile: oldKey.file })
for (let i = 0; i < N; i++) await makeSecret(before.app, { service: 'smtp', name: `s-${i}` }, { value: `value-of-${i}` })

describe('master-key rotation', () => {
  it('needs the previous key configured: 409 SECRETS_NO_PREVIOUS_KEY', async () => {
    expect(codeOf(await before.app.inject({ method: 'POST', url: '/api/secrets/master-key/rotate', headers: owner, payload: {} }))).toEqual([409, 'SECRETS_NO_PREVIOUS_KEY'])
    expect(codeOf(await before.app.inject({ method: 'POST', url: '/api/secrets/master-key/rotate', headers: await asRole('admin'), payload: {} }))).toEqual([403, 'SECRETS_FORBIDDEN'])
    await before.app.close()
  })

  it('re-wraps every DEK during a steady read and write load without losing a read', async () => {
    const { app } = await buildSecretsApp({ ctx, cleanup: onTestFinished, masterKeyFile: newKey.file, env: { ROBBIE_SECRETS_MASTER_KEY_PREVIOUS_FILE: oldKey.file } })
    const status = async () => (await app.inject({ url: '/api/secrets/seal-status', headers: owner })).json()
    expect(await status()).toMatchObject({ sealed: false, masterKeyId: masterKeyId(Buffer.from(newKey.key, 'base64')).toString('hex'), previousKeyId: masterKeyId(Buffer.from(oldKey.key, 'base64')).toString('hex'), dataKeys: N })

    let rotating = true
    const failures: string[] = []
    let rewrapping = false
    let readsDuringRewrap = 0
    const reader = async (r: number) => {
      for (let i = r; rotating || i < r + 40; i += 4) {
        const n = i % N
        const res = await app.inject({ method: 'POST', url: `/api/secrets/entries/smtp/s-${n}/reveal`, headers: owner, payload: { reason: 'load' } })
        if (rewrapping && app.keyring.previous() !== null) readsDuringRewrap++
        if (res.statusCode !== 200 || res.json().value !== `value-of-${n}`) failures.push(`${n}: ${res.statusCode} ${res.body.slice(0, 100)}`)
      }
    }
    const writer = async () => {
      for (let i = 0; rotating; i++) {
        const res = await app.inject({ method: 'PUT', url: `/api/secrets/entries/smtp/written-${i % 5}`, headers: owner, payload: { value: `written-${i}` } })
        if (res.statusCode >= 300) failures.push(`write ${i}: ${res.statusCode}`)
      }
    }
    const load = Promise.all([0, 1, 2, 3].map(reader).concat(writer()))
    await new Promise((resolve) => setTimeout(resolve, 200))
    rewrapping = true
    const started = await app.inject({ method: 'POST', url: '/api/secrets/master-key/rotate', headers: owner, payload: {} })
    expect(started.statusCode).toBe(202)
    expect(started.json().jobId).toMatch(/^[0-9a-f-]{36}$/)
    for (let i = 0; i < 600 && app.keyring.previous() !== null; i++) await new Promise((resolve) => setTimeout(resolve, 50))
    rotating = false
    await load
    expect(failures).toEqual([])
    expect(readsDuringRewrap).toBeGreaterThan(0) // reads really overlapped the re-wrap

    const after = await status()
    expect(after.rewrap).toEqual({ done: after.rewrap.total, total: after.rewrap.total })
    expect(after.rewrap.total).toBeGreaterThanOrEqual(N)
    expect(after.previousKeyId).toBeUndefined() // retired
    const { rows } = await app.db.query<{ id: Buffer }>('SELECT DISTINCT master_key_id AS id FROM data_keys WHERE destroyed_at IS NULL')
    expect(rows.map((r) => r.id.toString('hex'))).toEqual([after.masterKeyId])
    const events = await app.db.query("SELECT envelope FROM outbox WHERE type = 'secrets.masterkey.rotated.v1'")
    expect(events.rows.map((r) => r.envelope.data)).toEqual([{ keyId: after.masterKeyId, rewrapped: after.rewrap.total }])
    const audit = await app.db.query("SELECT action, outcome FROM audit_events WHERE action LIKE 'secrets.masterkey.%' ORDER BY seq")
    expect(audit.rows).toEqual([{ action: 'secrets.masterkey.rotate', outcome: 'success' }, { action: 'secrets.masterkey.rotated', outcome: 'success' }])
    // value_hmacs moved with the keys: matching still finds old secrets
    const match = await app.inject({ method: 'POST', url: '/internal/secrets/match', headers: bearer(serviceKey('chat')), payload: { candidates: ['value-of-7', 'value-of-nobody'] } })
    expect(match.json()).toEqual({ matches: [0] })
  }, 120_000)

  it('comes back unsealed with the new key alone, and sealed with the old key alone', async () => {
    const fresh = await buildSecretsApp({ ctx, cleanup: onTestFinished, masterKeyFile: newKey.file })
    expect((await fresh.app.inject({ method: 'POST', url: '/api/secrets/entries/smtp/s-3/reveal', headers: owner, payload: { reason: 'after restart' } })).json().value).toBe('value-of-3')
    const stale = await buildSecretsApp({ ctx, cleanup: onTestFinished, masterKeyFile: oldKey.file })
    expect(stale.app.keyring.status()).toMatchObject({ sealed: true, reason: 'key_mismatch' })
  })
})
