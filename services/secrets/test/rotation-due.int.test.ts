// SPEC §5.3, rotation due: secrets.secret.rotation-due.v1 once per due date for every secret whose
// rotation_due_at or expires_at falls within 14 days; the assignee is metadata.ownerUserId, else the creator.
// Rows are made through the service layer; the job runs through app.jobs.runOnce (the kit's lock and run record).
import { describe, expect, it } from 'vitest'
import { uuidv7 } from '@robbie/contracts'
import { ownerIdentity } from '../src/modules/secrets/access.js'
import type { Address } from '../src/modules/secrets/secrets.repository.js'
import { announceRotationDue } from '../src/modules/rotation-due/rotation-due.job.js'
import { buildSecretsApp } from './helper.js'
import { secretsService } from './factories.js'

const { app } = await buildSecretsApp()
const secrets = secretsService(app)
const DAY = 86_400_000
const creator = uuidv7()
const ownerUser = uuidv7()
const inDays = (d: number) => new Date(Date.now() + d * DAY).toISOString()

interface Due { secretId: string, service: string, name: string, scope: string, dueAt: string, reason: string, assigneeUserId: string | null }
async function dueEvents (secretId: string): Promise<Array<{ data: Due, visibility: string }>> {
  const { rows } = await app.db.query<{ envelope: { data: Due, visibility: string } }>(
    "SELECT envelope FROM outbox WHERE type = 'secrets.secret.rotation-due.v1' AND envelope->'data'->>'secretId' = $1 ORDER BY id", [secretId])
  return rows.map((r) => r.envelope)
}
async function put (name: string, body: Parameters<typeof secrets.put>[2], by = creator, extra: Partial<Address> = {}) {
  return (await secrets.put(ownerIdentity(by), { service: 'smtp', name, scope: 'global', scopeId: '', ...extra }, body, { internal: body.managed === true })).secret
}

describe('the rotation-due job', () => {
  it('announces expiry and rotation within 14 days once per due date, to the right assignee', async () => {
    const expiring = await put('expiring', { value: 'value-expiring-1', expiresAt: inDays(10), metadata: { ownerUserId: ownerUser } })
    const rotating = await put('rotating', { value: 'value-rotating-1', rotationIntervalDays: 7, visibility: 'owner' })
    const both = await put('both', { value: 'value-both-0001', rotationIntervalDays: 3, expiresAt: inDays(5) }, 'system:cli')
    const later = await put('later', { value: 'value-later-0001', rotationIntervalDays: 90, expiresAt: inDays(60) })
    const overdue = await put('overdue', { value: 'value-overdue-01', expiresAt: inDays(-2) })
    const gone = await put('gone', { value: 'value-gone-00001', expiresAt: inDays(3) })
    await secrets.remove(ownerIdentity(creator), { service: 'smtp', name: 'gone', scope: 'global', scopeId: '' })
    const managed = await put('managed-token', { value: 'value-managed-01', expiresAt: inDays(1), managed: true }, creator, { service: 'google' })

    expect(await app.jobs.runOnce('rotation-due')).toBe('success')
    expect(await app.jobs.runOnce('rotation-due')).toBe('success')

    expect((await dueEvents(expiring.id)).map((e) => e.data)).toEqual([
      { secretId: expiring.id, service: 'smtp', name: 'expiring', scope: 'global', dueAt: expiring.expiresAt, reason: 'expiry', assigneeUserId: ownerUser }
    ])
    const rot = await dueEvents(rotating.id)
    expect(rot.map((e) => e.data)).toEqual([
      { secretId: rotating.id, service: 'smtp', name: 'rotating', scope: 'global', dueAt: rotating.rotationDueAt, reason: 'rotation', assigneeUserId: creator }
    ])
    expect(rot[0]!.visibility).toBe('owner') // an owner-visibility secret's notice is the owner's alone
    // both reasons, each once; a creator that is not a user (the import CLI) leaves the assignee open
    expect((await dueEvents(both.id)).map((e) => [e.data.reason, e.data.assigneeUserId]).sort()).toEqual([['expiry', null], ['rotation', null]])
    expect(await dueEvents(overdue.id)).toHaveLength(1)
    for (const quiet of [later, gone, managed]) expect(await dueEvents(quiet.id)).toEqual([])

    const runs = await app.db.query<{ outcome: string, counts: { rotation: number, expiry: number } }>(
      "SELECT outcome, counts FROM job_runs WHERE job = 'rotation-due' ORDER BY started_at")
    expect(runs.rows.map((r) => r.outcome)).toEqual(['success', 'success'])
    expect(runs.rows[0]!.counts.rotation).toBeGreaterThanOrEqual(2)
    expect(runs.rows[1]!.counts).toEqual({ rotation: 0, expiry: 0 })
    expect((await app.inject({ url: '/metrics' })).body).toMatch(/robbie_job_last_success_timestamp\{[^}]*job="rotation-due"[^}]*\} \d/)
  })

  it('announces again when the due date moves (a new version), never for the same date', async () => {
    const s = await put('moving', { value: 'value-moving-001', rotationIntervalDays: 5 })
    await app.jobs.runOnce('rotation-due')
    await new Promise((resolve) => setTimeout(resolve, 20)) // a later now(): a different rotation_due_at
    const next = await put('moving', { value: 'value-moving-002' })
    expect(next.rotationDueAt).not.toBe(s.rotationDueAt)
    await app.jobs.runOnce('rotation-due')
    await app.jobs.runOnce('rotation-due')
    expect((await dueEvents(s.id)).map((e) => e.data.dueAt)).toEqual([s.rotationDueAt, next.rotationDueAt])
  })

  it('stays once per due date when runs overlap (two replicas past the job lock)', async () => {
    const made = await Promise.all([...Array(30).keys()].map(async (i) => await put(`race-${i}`, { value: `value-race-${i}-0000`, expiresAt: inDays(7) })))
    const results = await Promise.all([1, 2, 3].map(async () => await announceRotationDue({ pool: app.db, outbox: app.outbox })))
    expect(results.reduce((n, r) => n + r.expiry, 0)).toBe(30)
    for (const s of made) expect(await dueEvents(s.id)).toHaveLength(1)
  })

  it('never puts a value in the event', async () => {
    const s = await put('canary', { value: 'canary-value-rotation-due', expiresAt: inDays(2) })
    await app.jobs.runOnce('rotation-due')
    const { rows } = await app.db.query<{ envelope: unknown }>("SELECT envelope FROM outbox WHERE type = 'secrets.secret.rotation-due.v1'")
    expect(rows.length).toBeGreaterThan(0)
    expect(JSON.stringify(rows)).not.toContain('canary-value')
    expect(await dueEvents(s.id)).toHaveLength(1)
  })
})
