// SPEC §2.4: the audit viewer, checkpoints, and verification catching a changed row, a deleted row (gap) and a
// chain cut short before its last signed checkpoint. Tampering uses the schema owner's connection, the only
// role that can change audit_events at all.
import { afterAll, describe, expect, it } from 'vitest'
import { createPool } from '@robbie/db'
import { mintAccessToken } from '@robbie/testing'
import { localChain, loadCheckpointKey, takeCheckpoints } from '../src/modules/audit/index.js'
import { bearer, buildKeysApp } from './keys.helper.js'
import { makeUser } from './factories.js'

const { app, ctx } = await buildKeysApp()
const owner = await makeUser(app, { role: 'owner' })
const ownerToken = await mintAccessToken({ sub: owner.id, role: 'owner' })
const member = await makeUser(app)
const memberToken = await mintAccessToken({ sub: member.id, role: 'member' })
const ownerDb = createPool({ connectionString: ctx.db.ownerUrlFor('auth'), schema: 'auth', applicationName: 'audit-test' })
afterAll(async () => { await ownerDb.end() })

// some history: keys made by the owner and the member
for (const [token, name] of [[ownerToken, 'a'], [memberToken, 'b'], [ownerToken, 'c'], [memberToken, 'd']] as const) {
  const res = await app.inject({ method: 'POST', url: '/api/auth/keys', headers: bearer(token), payload: { name, scopes: ['chat:read'] } })
  if (res.statusCode !== 201) throw new Error(`key not made: ${res.body}`)
}

const verify = async (payload: Record<string, unknown> = { service: 'auth' }) => {
  const res = await app.inject({ method: 'POST', url: '/api/auth/audit/verify', headers: bearer(ownerToken), payload })
  expect(res.statusCode).toBe(200)
  return res.json<{ results: Array<{ service: string, ok: boolean, checked: number, headSeq: number, headHash: string, checkpointOk: boolean, firstBadSeq?: number, reason?: string }> }>().results[0]!
}
const checkpoint = async () => await takeCheckpoints({ pool: app.db, chains: new Map([['auth', localChain(app.db)]]), privateKey: loadCheckpointKey(ctx.env.ROBBIE_AUDIT_CHECKPOINT_KEY_FILE!).privateKey })

describe('audit viewer', () => {
  it('lists newest first across pages; members see only their own rows', async () => {
    const seen: Array<{ seq: number, at: string, actorId: string | null }> = []
    let cursor: string | null = null
    type AuditPage = { items: Array<{ seq: number, at: string, actorId: string | null }>, nextCursor: string | null }
    const fetchPage = async (after: string | null): Promise<AuditPage> => {
      const res = await app.inject({ method: 'GET', url: `/api/auth/audit?limit=2${after ? `&cursor=${after}` : ''}`, headers: bearer(ownerToken) })
      expect(res.statusCode).toBe(200)
      return res.json<AuditPage>()
    }
    do {
      const page = await fetchPage(cursor)
      seen.push(...page.items)
      cursor = page.nextCursor
    } while (cursor)
    const seqs = seen.map((r) => r.seq)
    expect(seqs.length).toBeGreaterThanOrEqual(4)
    expect(seqs).toEqual([...seqs].sort((a, b) => b - a)) // newest first, no repeats
    expect(new Set(seqs).size).toBe(seqs.length)

    const mine = await app.inject({ method: 'GET', url: '/api/auth/audit', headers: bearer(memberToken) })
    expect(mine.json().items.length).toBe(2)
    expect(mine.json().items.every((r: { actorId: string }) => r.actorId === member.id)).toBe(true)
    expect((await app.inject({ method: 'GET', url: `/api/auth/audit?actorId=${owner.id}`, headers: bearer(memberToken) })).statusCode).toBe(403)
    const ownersRow = seen.find((r) => r.actorId === owner.id)!
    expect((await app.inject({ method: 'GET', url: `/api/auth/audit/auth/${ownersRow.seq}`, headers: bearer(memberToken) })).statusCode).toBe(404)
    const one = await app.inject({ method: 'GET', url: `/api/auth/audit/auth/${ownersRow.seq}`, headers: bearer(ownerToken) })
    expect(one.json()).toMatchObject({ seq: ownersRow.seq, service: 'auth', hash: expect.stringMatching(/^[0-9a-f]{64}$/), prevHash: expect.stringMatching(/^[0-9a-f]{64}$/) })
    expect((await app.inject({ method: 'POST', url: '/api/auth/audit/verify', headers: bearer(memberToken), payload: {} })).statusCode).toBe(403)
  })
})

describe('chain verification', () => {
  it('is ok on an untouched chain, with a signed checkpoint that matches', async () => {
    const stored = await checkpoint()
    expect(stored).toHaveLength(1)
    const list = await app.inject({ method: 'GET', url: '/api/auth/audit/checkpoints', headers: bearer(ownerToken) })
    expect(list.json().items[0]).toMatchObject({ service: 'auth', seq: stored![0]!.seq, hash: stored![0]!.hash })
    const result = await verify()
    expect(result).toMatchObject({ service: 'auth', ok: true, checkpointOk: true })
    expect(result.checked).toBe(result.headSeq)
  })

  it('finds a changed row (hash_mismatch)', async () => {
    const { rows } = await ownerDb.query<{ action: string }>('SELECT action FROM audit_events WHERE seq = 2')
    await ownerDb.query("UPDATE audit_events SET action = 'auth.apikey.nothing' WHERE seq = 2")
    expect(await verify()).toMatchObject({ ok: false, firstBadSeq: 2, reason: 'hash_mismatch' })
    await ownerDb.query('UPDATE audit_events SET action = $1 WHERE seq = 2', [rows[0]!.action])
    expect(await verify()).toMatchObject({ ok: true })
  })

  it('finds a deleted row (gap)', async () => {
    const saved = await ownerDb.query('SELECT * FROM audit_events WHERE seq = 3')
    await ownerDb.query('DELETE FROM audit_events WHERE seq = 3')
    expect(await verify()).toMatchObject({ ok: false, firstBadSeq: 3, reason: 'gap' })
    const r = saved.rows[0] as Record<string, unknown>
    const cols = Object.keys(r)
    await ownerDb.query(`INSERT INTO audit_events (${cols.join(', ')}) VALUES (${cols.map((_c, i) => `$${i + 1}`).join(', ')})`, cols.map((c) => c === 'details' ? JSON.stringify(r[c]) : r[c]))
    expect(await verify()).toMatchObject({ ok: true })
  })

  it('finds a chain cut short before its last checkpoint (truncated)', async () => {
    const stored = await checkpoint() // the head now, including the verification rows since
    const head = stored![0]!.seq
    await ownerDb.query('DELETE FROM audit_events WHERE seq >= $1', [head - 1])
    const result = await verify()
    expect(result).toMatchObject({ ok: false, checkpointOk: false, reason: 'truncated', firstBadSeq: head - 1 })
  })
})
