// Tampering with stored ciphertexts (SPEC §5.2): a flipped byte of a value or of its wrapped DEK, or a
// ciphertext moved to another row or version, makes reveal fail with 409 SECRETS_DECRYPT_FAILED (audited as
// failed), never wrong plaintext. Tampering runs as the schema owner, the way an attacker with the database would.
import { afterAll, describe, expect, it } from 'vitest'
import { createPool } from '@robbie/db'
import { asRole, buildSecretsApp, codeOf } from './helper.js'
import { makeSecret } from './factories.js'

const { app, ctx } = await buildSecretsApp()
const ownerDb = createPool({ connectionString: ctx.db.ownerUrlFor('secrets'), schema: 'secrets', applicationName: 'secrets-test-tamper' })
afterAll(async () => { await ownerDb.end() })
const owner = await asRole('owner')
const reveal = async (name: string, version?: number) =>
  await app.inject({ method: 'POST', url: `/api/secrets/entries/smtp/${name}/reveal`, headers: owner, payload: { reason: 'tamper test', ...(version ? { version } : {}) } })

const a = await makeSecret(app, { name: 'alpha' }, { value: 'alpha-version-1' })
await makeSecret(app, { name: 'alpha' }, { value: 'alpha-version-2' })
const b = await makeSecret(app, { name: 'bravo' }, { value: 'bravo-version-1' })

async function stored (secretId: string, version: number) {
  const { rows } = await ownerDb.query<{ ciphertext: Buffer, dek_id: string, wrapped: Buffer }>(
    'SELECT v.ciphertext, v.dek_id, k.wrapped FROM secret_versions v JOIN data_keys k ON k.id = v.dek_id WHERE v.secret_id = $1 AND v.version = $2', [secretId, version])
  return rows[0]!
}

describe('tampered ciphertexts', () => {
  it('fails every flipped byte of the value ciphertext and of the wrapped DEK', async () => {
    const original = await stored(b.id, 1)
    for (const [column, table, key, bytes] of [
      ['ciphertext', 'secret_versions', 'secret_id', original.ciphertext], ['wrapped', 'data_keys', 'id', original.wrapped]
    ] as const) {
      const where = key === 'id' ? original.dek_id : b.id
      for (let i = 0; i < bytes.length; i++) {
        const bad = Buffer.from(bytes)
        bad[i] = bad[i]! ^ 0x80
        await ownerDb.query(`UPDATE ${table} SET ${column} = $2 WHERE ${key} = $1`, [where, bad])
        const res = await reveal('bravo')
        expect(codeOf(res), `${column} byte ${i}`).toEqual([409, 'SECRETS_DECRYPT_FAILED'])
        expect(res.body).not.toContain('bravo-version-1')
      }
      await ownerDb.query(`UPDATE ${table} SET ${column} = $2 WHERE ${key} = $1`, [where, bytes])
    }
    expect((await reveal('bravo')).json().value).toBe('bravo-version-1') // intact again
    const { rows } = await app.db.query("SELECT count(*)::int AS n FROM audit_events WHERE action = 'secrets.reveal' AND outcome = 'failed' AND details->>'code' = 'SECRETS_DECRYPT_FAILED'")
    expect(rows[0].n).toBe(original.ciphertext.length + original.wrapped.length)
  })

  it('fails a ciphertext moved to another row, with or without its DEK', async () => {
    const from = await stored(a.id, 2)
    const target = await stored(b.id, 1)
    // the value alone (it names another DEK), then value and DEK reference together (the AAD names another row)
    await ownerDb.query('UPDATE secret_versions SET ciphertext = $2 WHERE secret_id = $1 AND version = 1', [b.id, from.ciphertext])
    expect(codeOf(await reveal('bravo'))).toEqual([409, 'SECRETS_DECRYPT_FAILED'])
    await ownerDb.query('UPDATE secret_versions SET ciphertext = $2, dek_id = $3 WHERE secret_id = $1 AND version = 1', [b.id, from.ciphertext, from.dek_id])
    expect(codeOf(await reveal('bravo'))).toEqual([409, 'SECRETS_DECRYPT_FAILED'])
    await ownerDb.query('UPDATE secret_versions SET ciphertext = $2, dek_id = $3 WHERE secret_id = $1 AND version = 1', [b.id, target.ciphertext, target.dek_id])
    expect((await reveal('bravo')).json().value).toBe('bravo-version-1')
  })

  it('fails a ciphertext moved to another version of the same secret', async () => {
    const v1 = await stored(a.id, 1)
    const v2 = await stored(a.id, 2)
    await ownerDb.query('UPDATE secret_versions SET ciphertext = $2, dek_id = $3 WHERE secret_id = $1 AND version = 2', [a.id, v1.ciphertext, v1.dek_id])
    expect(codeOf(await reveal('alpha'))).toEqual([409, 'SECRETS_DECRYPT_FAILED'])
    // and a DEK swapped between versions
    await ownerDb.query('UPDATE secret_versions SET ciphertext = $2, dek_id = $3 WHERE secret_id = $1 AND version = 2', [a.id, v2.ciphertext, v2.dek_id])
    await ownerDb.query('UPDATE data_keys SET wrapped = $2 WHERE id = $1', [v2.dek_id, v1.wrapped])
    expect(codeOf(await reveal('alpha'))).toEqual([409, 'SECRETS_DECRYPT_FAILED'])
    await ownerDb.query('UPDATE data_keys SET wrapped = $2 WHERE id = $1', [v2.dek_id, v2.wrapped])
    expect((await reveal('alpha')).json().value).toBe('alpha-version-2')
    expect((await reveal('alpha', 1)).json().value).toBe('alpha-version-1')
  })
})
