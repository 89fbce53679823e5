// Housekeeping (SPEC §4.6), each job run with app.jobs.runOnce against real Postgres and Redis: the rescore
// writes only changed rows, idle Q4 items are archived, Q1 overload is announced once per rise, and tasks not
// acknowledged by half-time are escalated to the owner.
import { describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { uuidv7 } from '@robbie/contracts'
import { buildTestApp, testContext } from '@robbie/testing'
import { createService, defineConfig, loadConfig } from '@robbie/service-kit'
import { registerHousekeeping, JOBS } from '../src/modules/housekeeping/housekeeping.jobs.js'
import { serviceDir } from '../src/app.js'

const ctx = await testContext('priorities', { LOG_LEVEL: 'error' })
let clock = new Date('2026-11-26T12:00:00.000Z')
const app: FastifyInstance = await buildTestApp(async () => {
  const a = await createService({ name: 'priorities', config: loadConfig(defineConfig({}), ctx.env), serviceDir })
  registerHousekeeping(a, { now: () => clock })
  return a
})
const H = 3_600_000
const ago = (h: number) => new Date(clock.getTime() - h * H)

interface Seed {
  kind?: string,
  ownerUserId?: string,
  assigneeUserId?: string | null,
  quadrant?: string,
  status?: string,
  lastActivityHoursAgo?: number,
  createdHoursAgo?: number,
  pinned?: boolean,
  revenue?: number,
  importance?: number,
  urgency?: number,
  score?: number,
  visibility?: string,
  task?: { priority?: string, dueInHours?: number | null, acknowledged?: boolean }
}
async function seed (s: Seed = {}): Promise<string> {
  const id = uuidv7()
  const owner = s.ownerUserId ?? uuidv7()
  await app.db.query(
    `INSERT INTO items (id, kind, title, owner_user_id, assignee_user_id, visibility, status, quadrant, pinned, revenue_potential,
       importance, urgency, score, last_activity_at, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15)`,
    [id, s.kind ?? (s.task ? 'task' : 'email'), `Item ${id}`, owner, s.assigneeUserId === undefined ? owner : s.assigneeUserId, s.visibility ?? 'private',
      s.status ?? 'open', s.quadrant ?? 'Q4', s.pinned ?? false, s.revenue ?? 0, s.importance ?? 0, s.urgency ?? 0, s.score ?? 0,
      ago(s.lastActivityHoursAgo ?? 1), ago(s.createdHoursAgo ?? 1)])
  if (s.task) {
    const due = s.task.dueInHours == null ? null : new Date(clock.getTime() + s.task.dueInHours * H)
    await app.db.query('INSERT INTO task_details (item_id, priority, due_at, acknowledged_at) VALUES ($1, $2, $3, $4)',
      [id, s.task.priority ?? 'medium', due, s.task.acknowledged ? ago(0.5) : null])
  }
  return id
}
const row = async (id: string) => (await app.db.query(
  `SELECT i.status, i.importance, i.urgency, i.score, i.quadrant, i.domain_override, t.escalated_at, t.watcher_user_ids
     FROM items i LEFT JOIN task_details t ON t.item_id = i.id WHERE i.id = $1`, [id])).rows[0]
const events = async (type: string, subjectId: string) => (await app.db.query(
  "SELECT envelope FROM outbox WHERE type = $1 AND envelope->'subject'->>'id' = $2 ORDER BY id", [type, subjectId])).rows.map((r) => r.envelope)
const lastCounts = async (job: string) => (await app.db.query('SELECT counts FROM job_runs WHERE job = $1 ORDER BY started_at DESC LIMIT 1', [job])).rows[0]?.counts

describe('rescore', () => {
  it('stores the engine\'s importance, urgency, score and quadrant, and writes only rows that changed', async () => {
    // V4: a low task with nothing else → I 60, U 40, Q2, 36.4
    const stale = await seed({ task: { priority: 'low' }, quadrant: 'Q4' })
    const current = await seed({ task: { priority: 'low' }, quadrant: 'Q2', importance: 60, urgency: 40, score: 36.4 })
    const before = Number(await app.redis.client.get(`${app.redis.prefix}priorities:ver:company`) ?? 0)
    expect(await app.jobs.runOnce(JOBS.rescore)).toBe('success')
    expect(await row(stale)).toMatchObject({ importance: 60, urgency: 40, quadrant: 'Q2' })
    expect((await row(stale)).score).toBeCloseTo(36.4, 4)
    const updated = await app.db.query('SELECT updated_at, version FROM items WHERE id = $1', [current])
    expect((await lastCounts(JOBS.rescore)).changed).toBeGreaterThanOrEqual(1)
    // the row already right was not touched, and a second run finds nothing to write
    expect(await app.jobs.runOnce(JOBS.rescore)).toBe('success')
    expect((await lastCounts(JOBS.rescore)).changed).toBe(0)
    expect((await app.db.query('SELECT updated_at, version FROM items WHERE id = $1', [current])).rows).toEqual(updated.rows)
    expect(Number(await app.redis.client.get(`${app.redis.prefix}priorities:ver:company`))).toBe(before + 1)
  })
})

describe('Q4 auto-archive', () => {
  it('archives open Q4 items idle for more than 48 h (not pinned, no revenue, not deals) and emits item.archived', async () => {
    const idle = await seed({ quadrant: 'Q4', lastActivityHoursAgo: 49, visibility: 'company' })
    const recent = await seed({ quadrant: 'Q4', lastActivityHoursAgo: 47 })
    const pinned = await seed({ quadrant: 'Q4', lastActivityHoursAgo: 72, pinned: true })
    const money = await seed({ quadrant: 'Q4', lastActivityHoursAgo: 72, revenue: 10 })
    const deal = await seed({ kind: 'deal', quadrant: 'Q4', lastActivityHoursAgo: 72 })
    const q3 = await seed({ quadrant: 'Q3', lastActivityHoursAgo: 72 })
    expect(await app.jobs.runOnce(JOBS.archive)).toBe('success')
    expect((await row(idle)).status).toBe('archived')
    for (const id of [recent, pinned, money, deal, q3]) expect((await row(id)).status).toBe('open')
    const [archived] = await events('priorities.item.archived.v1', idle)
    expect(archived.data).toMatchObject({ itemId: idle, kind: 'email', quadrant: 'Q4', visibility: 'company', title: `Item ${idle}` })
    await app.jobs.runOnce(JOBS.archive)
    expect(await events('priorities.item.archived.v1', idle)).toHaveLength(1)
  })
})

describe('Q1 overload', () => {
  it('emits q1.overloaded once when the count rises past 10, and again only after it dropped to 10 or fewer', async () => {
    const user = uuidv7()
    const ids = await Promise.all(Array.from({ length: 11 }, async () => await seed({ ownerUserId: user, quadrant: 'Q1' })))
    await app.jobs.runOnce(JOBS.overload)
    const first = await events('priorities.q1.overloaded.v1', user)
    expect(first.map((e) => e.data)).toEqual([{ userId: user, count: 11 }])
    expect(first[0].visibility).toBe('private')
    await app.jobs.runOnce(JOBS.overload)
    expect(await events('priorities.q1.overloaded.v1', user)).toHaveLength(1)

    await app.db.query("UPDATE items SET status = 'done' WHERE id = $1", [ids[0]])
    await app.jobs.runOnce(JOBS.overload)
    expect(await events('priorities.q1.overloaded.v1', user)).toHaveLength(1)
    expect((await app.db.query('SELECT overloaded, count FROM q1_overload WHERE user_id = $1', [user])).rows[0]).toEqual({ overloaded: false, count: 10 })

    await seed({ ownerUserId: user, quadrant: 'Q1' })
    await seed({ ownerUserId: user, quadrant: 'Q1' })
    await app.jobs.runOnce(JOBS.overload)
    expect((await events('priorities.q1.overloaded.v1', user)).map((e) => e.data)).toEqual([{ userId: user, count: 11 }, { userId: user, count: 12 }])
  })
})

describe('escalation', () => {
  it('escalates a member\'s unacknowledged task at half-time to the owner, once', async () => {
    const owner = uuidv7()
    const member = uuidv7()
    await app.db.query("INSERT INTO known_users (user_id, role, status, version, updated_at) VALUES ($1, 'owner', 'active', 1, now())", [owner])
    // created 10 h ago, due in 8 h: 10 of 18 h passed (> 50 %)
    const late = await seed({ ownerUserId: member, assigneeUserId: member, createdHoursAgo: 10, task: { dueInHours: 8 } })
    const early = await seed({ ownerUserId: member, assigneeUserId: member, createdHoursAgo: 2, task: { dueInHours: 10 } })
    const acked = await seed({ ownerUserId: member, assigneeUserId: member, createdHoursAgo: 10, task: { dueInHours: 8, acknowledged: true } })
    const ownTask = await seed({ ownerUserId: owner, assigneeUserId: owner, createdHoursAgo: 10, task: { dueInHours: 8 } })
    const noDue = await seed({ ownerUserId: member, assigneeUserId: member, createdHoursAgo: 10, task: { dueInHours: null } })
    expect(await app.jobs.runOnce(JOBS.escalation)).toBe('success')
    const r = await row(late)
    expect(r.escalated_at.toISOString()).toBe(clock.toISOString())
    expect(r).toMatchObject({ watcher_user_ids: [owner], domain_override: 'human' })
    for (const id of [early, acked, ownTask, noDue]) expect((await row(id)).escalated_at).toBeNull()
    const [event] = await events('priorities.task.escalated.v1', late)
    expect(event.data).toMatchObject({ itemId: late, kind: 'task', assigneeUserId: member, visibility: 'private', domain: 'human' })

    await app.jobs.runOnce(JOBS.escalation)
    expect(await events('priorities.task.escalated.v1', late)).toHaveLength(1)
    // the clock moves on: the early task reaches half-time (6 h after creation)
    clock = new Date(clock.getTime() + 5 * H)
    await app.jobs.runOnce(JOBS.escalation)
    expect(await events('priorities.task.escalated.v1', early)).toHaveLength(1)
  })
})
