// Tasks API (SPEC §4.5): CRUD, the lifecycle verbs, version conflicts, events through the outbox, dedup.
import { beforeAll, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { buildPrioritiesApp, codeOf, outboxEvents, user, type User } from './helper.js'
import { makeTask } from './factories.js'

let app: FastifyInstance
let owner: User
let member: User
beforeAll(async () => {
  ({ app } = await buildPrioritiesApp())
  owner = await user('owner')
  member = await user('member')
})
const url = '/api/priorities/tasks'

describe('tasks CRUD', () => {
  it('creates a task owned by and assigned to its creator, private by default, with a number', async () => {
    const res = await app.inject({ method: 'POST', url, headers: member.headers, payload: { title: 'Write the quarterly plan', priority: 'low' } })
    expect(res.statusCode).toBe(201)
    const body = res.json()
    expect(body.status).toBe('created')
    expect(body.task).toMatchObject({
      title: 'Write the quarterly plan',
      ownerUserId: member.id,
      assigneeUserId: member.id,
      requesterUserId: member.id,
      visibility: 'private',
      status: 'pending',
      priority: 'low',
      category: 'general',
      kind: 'task',
      version: 1,
      domain: 'human'
    })
    expect(Number.isInteger(body.task.number)).toBe(true)
    // V4: a low task with nothing else → I 60, U 40, Q2, 36.4
    expect(body.task).toMatchObject({ importance: 60, urgency: 40, quadrant: 'Q2', score: 36.4 })
    const [created] = await outboxEvents(app, 'priorities.task.created.v1', body.task.id)
    expect(created!.visibility).toBe('private')
    expect(created!.data).toEqual({
      itemId: body.task.id,
      kind: 'task',
      number: body.task.number,
      quadrant: 'Q2',
      domain: 'human',
      assigneeUserId: member.id,
      visibility: 'private',
      version: 1
    })
  })

  it('task numbers come from one company sequence', async () => {
    const a = await makeTask(app, member)
    const b = await makeTask(app, owner)
    expect(b.number).toBeGreaterThan(a.number)
  })

  it('company events carry the title; bad input changes nothing', async () => {
    const t = await makeTask(app, member, { visibility: 'company', title: 'Company wide clean up of the wiki' })
    const [created] = await outboxEvents(app, 'priorities.task.created.v1', t.id)
    expect(created!.data.title).toBe('Company wide clean up of the wiki')
    const bad = await app.inject({ method: 'POST', url, headers: member.headers, payload: { title: '', extra: 1 } })
    expect(codeOf(bad)).toEqual([400, 'PRIORITIES_VALIDATION_FAILED'])
  })

  it('reads, lists, updates with If-Match, completes, reopens, snoozes and cancels', async () => {
    const t = await makeTask(app, member, { title: 'Prepare the board deck outline' })
    const got = await app.inject({ method: 'GET', url: `${url}/${t.id}`, headers: member.headers })
    expect(got.statusCode).toBe(200)
    expect(got.headers.etag).toBe('"1"')

    const list = await app.inject({ method: 'GET', url: `${url}?assignee=me&limit=200`, headers: member.headers })
    expect(list.json().items.map((i: { id: string }) => i.id)).toContain(t.id)

    const stale = await app.inject({ method: 'PATCH', url: `${url}/${t.id}`, headers: { ...member.headers, 'if-match': '"7"' }, payload: { priority: 'high' } })
    expect(codeOf(stale)).toEqual([409, 'PRIORITIES_VERSION_CONFLICT'])
    const patched = await app.inject({ method: 'PATCH', url: `${url}/${t.id}`, headers: { ...member.headers, 'if-match': '"1"' }, payload: { priority: 'high', description: 'x'.repeat(50) } })
    expect(patched.statusCode).toBe(200)
    expect(patched.json()).toMatchObject({ priority: 'high', version: 2, urgency: 80, quadrant: 'Q1' })
    const [updated] = await outboxEvents(app, 'priorities.task.updated.v1', t.id)
    expect(updated!.data).toMatchObject({ itemId: t.id, version: 2, quadrant: 'Q1' })

    const done = await app.inject({ method: 'POST', url: `${url}/${t.id}/complete`, headers: member.headers })
    expect(done.json()).toMatchObject({ status: 'completed', itemStatus: 'done', version: 3 })
    expect(done.json().completedAt).not.toBeNull()
    expect(await outboxEvents(app, 'priorities.task.completed.v1', t.id)).toHaveLength(1)
    const again = await app.inject({ method: 'POST', url: `${url}/${t.id}/complete`, headers: member.headers })
    expect(codeOf(again)).toEqual([409, 'PRIORITIES_TASK_CLOSED'])

    const reopened = await app.inject({ method: 'POST', url: `${url}/${t.id}/reopen`, headers: member.headers })
    expect(reopened.json()).toMatchObject({ status: 'pending', itemStatus: 'open', completedAt: null })

    const until = new Date(Date.now() + 3_600_000).toISOString()
    const snoozed = await app.inject({ method: 'POST', url: `${url}/${t.id}/snooze`, headers: member.headers, payload: { until } })
    expect(snoozed.json()).toMatchObject({ itemStatus: 'snoozed', snoozedUntil: until })

    const cancelled = await app.inject({ method: 'DELETE', url: `${url}/${t.id}`, headers: member.headers })
    expect(cancelled.json()).toMatchObject({ status: 'cancelled' })
    expect(await outboxEvents(app, 'priorities.task.deleted.v1', t.id)).toHaveLength(1)
  })

  it("a member may not change someone else's company task (403) and cannot see a private one (404)", async () => {
    const other = await user('member')
    const company = await makeTask(app, owner, { visibility: 'company', title: 'Order new laptops for the team' })
    const priv = await makeTask(app, owner, { title: 'Private thoughts on hiring plan' })
    expect((await app.inject({ method: 'GET', url: `${url}/${company.id}`, headers: other.headers })).statusCode).toBe(200)
    expect(codeOf(await app.inject({ method: 'POST', url: `${url}/${company.id}/complete`, headers: other.headers }))).toEqual([403, 'PRIORITIES_FORBIDDEN'])
    expect(codeOf(await app.inject({ method: 'GET', url: `${url}/${priv.id}`, headers: other.headers }))).toEqual([404, 'PRIORITIES_NOT_FOUND'])
    expect(codeOf(await app.inject({ method: 'PATCH', url: `${url}/${priv.id}`, headers: other.headers, payload: { title: 'mine now' } }))).toEqual([404, 'PRIORITIES_NOT_FOUND'])
  })

  it('an assignee given by the creator can complete the task', async () => {
    const assignee = await user('member')
    const t = await makeTask(app, owner, { assigneeUserId: assignee.id, title: 'Assigned: renew the domain name' })
    const res = await app.inject({ method: 'POST', url: `${url}/${t.id}/complete`, headers: assignee.headers })
    expect(res.json()).toMatchObject({ status: 'completed' })
  })
})

describe('dedup on create', () => {
  it('the same source id returns the existing task and creates nothing', async () => {
    const payload = { title: 'Rotate the SMTP password', sourceType: 'api', sourceId: 'src-1' }
    const first = await app.inject({ method: 'POST', url, headers: member.headers, payload })
    const second = await app.inject({ method: 'POST', url, headers: member.headers, payload: { ...payload, title: 'Something else entirely' } })
    expect(first.statusCode).toBe(201)
    expect(second.statusCode).toBe(200)
    expect(second.json()).toMatchObject({ status: 'existing', similarity: 1 })
    expect(second.json().task.id).toBe(first.json().task.id)
    expect(await outboxEvents(app, 'priorities.task.created.v1', first.json().task.id)).toHaveLength(1)
  })

  it('a similar title (Jaccard > 0.7) of the same owner links the new source instead of creating', async () => {
    const first = await makeTask(app, member, { title: 'Review PR: fix login bug' })
    const dup = await app.inject({ method: 'POST', url, headers: member.headers, payload: { title: 'Review PR fix login bug today', sourceType: 'github', sourceId: 'pr-42' } })
    expect(dup.statusCode).toBe(200)
    expect(dup.json().status).toBe('existing')
    expect(dup.json().task.id).toBe(first.id)
    expect(dup.json().similarity).toBeCloseTo(5 / 6)
    const item = await app.inject({ method: 'GET', url: `/api/priorities/items/${first.id}`, headers: member.headers })
    expect(item.json().sources.map((s: { id: string }) => s.id)).toContain('pr-42')
    const { rows } = await app.db.query('SELECT item_id FROM item_sources WHERE source_type = $1 AND source_id = $2', ['github', 'pr-42'])
    expect(rows[0].item_id).toBe(first.id)
  })

  it('4/6 similarity is a new task; another owner never dedups against mine', async () => {
    await makeTask(app, member, { title: 'Send Q4 report to board' })
    const other = await app.inject({ method: 'POST', url, headers: member.headers, payload: { title: 'Send Q3 report to board' } })
    expect(other.statusCode).toBe(201)
    const someone = await user('member')
    const theirs = await app.inject({ method: 'POST', url, headers: someone.headers, payload: { title: 'Send Q3 report to board' } })
    expect(theirs.statusCode).toBe(201)
  })

  it('a completed task is not a dedup candidate', async () => {
    const t = await makeTask(app, member, { title: 'Call Dana about renewal' })
    await app.inject({ method: 'POST', url: `${url}/${t.id}/complete`, headers: member.headers })
    const res = await app.inject({ method: 'POST', url, headers: member.headers, payload: { title: 'call dana about the renewal' } })
    expect(res.statusCode).toBe(201)
  })

  it('fifty concurrent creates of one source make one task', async () => {
    const payload = { title: 'Concurrent intake test', sourceType: 'api', sourceId: 'concurrent-1' }
    const results = await Promise.all(Array.from({ length: 50 }, async () => await app.inject({ method: 'POST', url, headers: member.headers, payload })))
    expect(results.filter((r) => r.statusCode === 201)).toHaveLength(1)
    expect(new Set(results.map((r) => r.json().task.id)).size).toBe(1)
  })
})

describe('idempotency', () => {
  it('the same Idempotency-Key and body answer the stored response and create one task', async () => {
    const headers = { ...member.headers, 'idempotency-key': `k-${Date.now()}` }
    const payload = { title: 'Idempotent: order the new chairs' }
    const first = await app.inject({ method: 'POST', url, headers, payload })
    const second = await app.inject({ method: 'POST', url, headers, payload })
    expect(first.statusCode).toBe(201)
    expect(second.statusCode).toBe(201)
    expect(second.body).toBe(first.body)
    const { rows } = await app.db.query('SELECT id FROM items WHERE title = $1', [payload.title])
    expect(rows).toHaveLength(1)
  })
})
