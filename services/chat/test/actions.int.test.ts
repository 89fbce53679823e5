// The actions API (SPEC §3.7): list own, approve (once, with re-validated edits), reject, undo (restoring previous
// values in priorities and notes), someone else's action, too late, expiry; with events and audit rows.
import { beforeAll, describe, expect, it } from 'vitest'
import type { ToolCallView } from '../src/modules/assistant.types.js'
import { buildWithUsers, codeOf, outboxEvents, tasksTitled, unique, type Cb2App, type User } from './cb2-helper.js'

let h: Cb2App
let owner: User
let member: User
beforeAll(async () => { ({ h, owner, member } = await buildWithUsers()) })
const post = async (u: User, id: string, verb: string, payload?: object, headers: Record<string, string> = {}) =>
  await h.app.inject({ method: 'POST', url: `/api/chat/actions/${id}/${verb}`, headers: { ...u.headers, ...headers }, ...(payload ? { payload } : {}) })

/** A task_create filed for approval (from a tainted turn). */
async function proposed (u: User, title = unique('Proposed task')): Promise<ToolCallView & { title: string }> {
  const view = await h.tools.call(h.turn(u, { tainted: true }), { name: 'task_create', arguments: { title, confidence: 0.8 } })
  expect(view.status).toBe('needs_approval')
  return { ...view, title }
}
/** A write that ran (a direct request). */
async function ran (u: User, name: string, args: Record<string, unknown>): Promise<ToolCallView> {
  const view = await h.tools.call(h.turn(u), { name, arguments: { ...args, origin: 'direct', confidence: 1 } })
  expect(view.status, JSON.stringify(view.result)).toBe('done')
  return view
}
const auditRows = async (id: string) =>
  (await h.app.db.query('SELECT action, actor_id, outcome, details FROM audit_events WHERE resource_id = $1 ORDER BY seq', [id])).rows

describe('GET /api/chat/actions', () => {
  it("lists the caller's own actions, newest first, by status, page by page", async () => {
    const u = await h.standIn.user('member')
    const a = await proposed(u)
    const b = await proposed(u)
    const c = await ran(u, 'task_create', { title: unique('Ran') })
    await proposed(member) // someone else's
    const all = await h.app.inject({ url: '/api/chat/actions', headers: u.headers })
    expect(all.statusCode).toBe(200)
    expect(all.json().items.map((x: { id: string }) => x.id)).toEqual([c.actionId, b.actionId, a.actionId])
    expect(all.json().items[2]).toMatchObject({ tool: 'task_create', class: 'write', status: 'proposed', requesterId: u.id, taint: true, confidence: 0.8, args: { title: a.title } })
    const waiting = await h.app.inject({ url: '/api/chat/actions?status=proposed&limit=1', headers: u.headers })
    expect(waiting.json().items.map((x: { id: string }) => x.id)).toEqual([b.actionId])
    const next = await h.app.inject({ url: `/api/chat/actions?status=proposed&limit=1&cursor=${waiting.json().nextCursor as string}`, headers: u.headers })
    expect(next.json()).toMatchObject({ items: [{ id: a.actionId }], nextCursor: null })
    // the stored undo data never leaves chat
    expect(JSON.stringify(all.json())).not.toContain('"undo"')
  })

  it('refuses bad queries and anonymous callers', async () => {
    expect(codeOf(await h.app.inject({ url: '/api/chat/actions?limit=0', headers: member.headers }))).toEqual([400, 'CHAT_VALIDATION_FAILED'])
    expect(codeOf(await h.app.inject({ url: '/api/chat/actions?status=maybe', headers: member.headers }))).toEqual([400, 'CHAT_VALIDATION_FAILED'])
    expect(codeOf(await h.app.inject({ url: '/api/chat/actions?cursor=x', headers: member.headers }))).toEqual([400, 'CHAT_VALIDATION_FAILED'])
    expect(codeOf(await h.app.inject({ url: '/api/chat/actions' }))).toEqual([401, 'CHAT_UNAUTHENTICATED'])
  })
})

describe('approve', () => {
  it('runs the action once: the task exists, a second approval is 409 CHAT_ACTION_NOT_PENDING', async () => {
    const p = await proposed(member)
    const res = await post(member, p.actionId!, 'approve')
    expect(res.statusCode).toBe(200)
    expect(res.json()).toMatchObject({ id: p.actionId, status: 'done', decidedBy: member.id, targetService: 'priorities', result: { status: 'created', task: { title: p.title } } })
    expect(codeOf(await post(member, p.actionId!, 'approve'))).toEqual([409, 'CHAT_ACTION_NOT_PENDING'])
    expect(await tasksTitled(h, member, p.title)).toHaveLength(1)
    expect((await outboxEvents(h.app, 'chat.action.decided.v1', p.actionId!)).map((e) => e.data)).toEqual([{ actionId: p.actionId, decision: 'approved', by: member.id }])
    expect((await outboxEvents(h.app, 'chat.action.executed.v1', p.actionId!)).map((e) => e.data)).toEqual([{ actionId: p.actionId, outcome: 'done' }])
    expect(await auditRows(p.actionId!)).toMatchObject([{ action: 'chat.action.approve', actor_id: member.id, outcome: 'success', details: { tool: 'task_create', edited: false } }])
  })

  it('concurrent approvals run it once', async () => {
    const p = await proposed(member)
    const results = await Promise.all([1, 2, 3].map(async () => await post(member, p.actionId!, 'approve')))
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 409, 409])
    expect(await tasksTitled(h, member, p.title)).toHaveLength(1)
  })

  it('executing again after a lost answer has one effect: priorities honours Idempotency-Key = action id', async () => {
    const p = await proposed(member)
    expect((await post(member, p.actionId!, 'approve')).json().status).toBe('done')
    // as if the decision had been lost after the call went out, and the action were approved again
    await h.app.db.query("UPDATE actions SET status = 'proposed' WHERE id = $1", [p.actionId])
    const again = await post(member, p.actionId!, 'approve')
    expect(again.json()).toMatchObject({ status: 'done', result: { status: 'created' } })
    expect(await tasksTitled(h, member, p.title)).toHaveLength(1)
  })

  it('edits are re-validated: bad edits change nothing, good ones are what runs', async () => {
    const p = await proposed(member)
    for (const edits of [{ title: '' }, { colour: 'red' }, { priority: 'urgent' }, { title: 'x'.repeat(301) }]) {
      expect(codeOf(await post(member, p.actionId!, 'approve', { edits }))).toEqual([400, 'CHAT_VALIDATION_FAILED'])
    }
    expect(codeOf(await post(member, p.actionId!, 'approve', { edits: {}, extra: 1 }))).toEqual([400, 'CHAT_VALIDATION_FAILED'])
    const { rows } = await h.app.db.query('SELECT status FROM actions WHERE id = $1', [p.actionId])
    expect(rows[0].status).toBe('proposed')
    const title = unique('Edited title')
    const res = await post(member, p.actionId!, 'approve', { edits: { title, priority: 'low' } })
    expect(res.json()).toMatchObject({ status: 'done', args: { title, priority: 'low' }, result: { task: { title, priority: 'low' } } })
    expect(await tasksTitled(h, member, p.title)).toHaveLength(0)
  })

  it("someone else's action is 403, a missing one 404, and neither changes", async () => {
    const p = await proposed(owner)
    for (const verb of ['approve', 'reject', 'undo']) expect(codeOf(await post(member, p.actionId!, verb))).toEqual([403, 'CHAT_FORBIDDEN'])
    expect(codeOf(await post(member, '01a21881-0000-7000-8000-000000000000', 'approve'))).toEqual([404, 'CHAT_NOT_FOUND'])
    expect(codeOf(await post(member, 'not-an-id', 'approve'))).toEqual([400, 'CHAT_VALIDATION_FAILED'])
    const { rows } = await h.app.db.query('SELECT status FROM actions WHERE id = $1', [p.actionId])
    expect(rows[0].status).toBe('proposed')
  })

  it('a failing execution leaves the action failed with the callee\'s code, not a 5xx', async () => {
    const view = await h.tools.call(h.turn(member, { tainted: true }), { name: 'task_complete', arguments: { taskId: '#999999' } })
    const res = await post(member, view.actionId!, 'approve')
    expect(res.statusCode).toBe(200)
    expect(res.json()).toMatchObject({ status: 'failed', error: 'CHAT_NOT_FOUND: Task #999999 was not found' })
    expect((await outboxEvents(h.app, 'chat.action.executed.v1', view.actionId!)).map((e) => e.data.outcome)).toEqual(['failed'])
  })

  it('honours Idempotency-Key on the decision itself', async () => {
    const p = await proposed(member)
    const key = { 'idempotency-key': `approve-${p.actionId!}` }
    const first = await post(member, p.actionId!, 'approve', {}, key)
    const second = await post(member, p.actionId!, 'approve', {}, key)
    expect(second.statusCode).toBe(200)
    expect(second.headers['idempotent-replayed']).toBe('true')
    expect(second.body).toBe(first.body)
  })
})

describe('reject', () => {
  it('records the decision and the reason; a second decision is 409', async () => {
    const p = await proposed(member)
    const res = await post(member, p.actionId!, 'reject', { reason: 'not now' })
    expect(res.json()).toMatchObject({ status: 'rejected', decidedBy: member.id, result: { reason: 'not now' } })
    expect(codeOf(await post(member, p.actionId!, 'reject'))).toEqual([409, 'CHAT_ACTION_NOT_PENDING'])
    expect(codeOf(await post(member, p.actionId!, 'approve'))).toEqual([409, 'CHAT_ACTION_NOT_PENDING'])
    expect(codeOf(await post(member, p.actionId!, 'reject', { reason: 'x'.repeat(501) }))).toEqual([400, 'CHAT_VALIDATION_FAILED'])
    expect(await tasksTitled(h, member, p.title)).toHaveLength(0)
    expect((await outboxEvents(h.app, 'chat.action.decided.v1', p.actionId!)).map((e) => e.data.decision)).toEqual(['rejected'])
    expect((await auditRows(p.actionId!)).map((r) => r.action)).toEqual(['chat.action.reject'])
  })
})

describe('undo', () => {
  it('a created task is cancelled; undoing twice is 409 CHAT_TOO_LATE_TO_UNDO', async () => {
    const view = await ran(member, 'task_create', { title: unique('Undo me') })
    const id = (view.result as { task: { id: string } }).task.id
    const res = await post(member, view.actionId!, 'undo')
    expect(res.json()).toMatchObject({ status: 'undone' })
    expect((await h.priorityGet(member, `/tasks/${id}`)).status).toBe('cancelled')
    expect(codeOf(await post(member, view.actionId!, 'undo'))).toEqual([409, 'CHAT_TOO_LATE_TO_UNDO'])
    expect((await outboxEvents(h.app, 'chat.action.decided.v1', view.actionId!)).map((e) => e.data)).toEqual([{ actionId: view.actionId, decision: 'undone', by: member.id }])
    expect((await auditRows(view.actionId!)).map((r) => r.action)).toEqual(['chat.action.undo'])
  })

  it('an update is reverted to the previous values, a completion reopens the task', async () => {
    const title = unique('Keep me')
    const made = await ran(member, 'task_create', { title, priority: 'low', dueAt: '2030-01-01T17:00:00Z' })
    const task = (made.result as { task: { id: string, number: number } }).task
    const upd = await ran(member, 'task_update', { taskId: task.id, title: unique('Renamed'), priority: 'critical', dueAt: '2030-02-01T17:00:00Z', status: 'in_progress' })
    expect((await post(member, upd.actionId!, 'undo')).json().status).toBe('undone')
    expect(await h.priorityGet(member, `/tasks/${task.id}`)).toMatchObject({ title, priority: 'low', dueAt: '2030-01-01T17:00:00.000Z', status: 'pending' })
    const done = await ran(member, 'task_complete', { taskId: `#${task.number}` })
    expect((await h.priorityGet(member, `/tasks/${task.id}`)).status).toBe('completed')
    expect((await post(member, done.actionId!, 'undo')).json().status).toBe('undone')
    expect((await h.priorityGet(member, `/tasks/${task.id}`)).status).toBe('pending')
  })

  it('a note Robbie created is deleted; a locked one refuses and stays done', async () => {
    const view = await ran(member, 'note_create', { title: unique('Undo note'), content: 'x' })
    const noteId = (view.result as { note: { id: string } }).note.id
    expect((await post(member, view.actionId!, 'undo')).json().status).toBe('undone')
    expect((await h.app.db.query('SELECT id FROM notes WHERE id = $1', [noteId])).rows).toHaveLength(0)
    const locked = await ran(member, 'note_create', { title: unique('Locked note'), content: 'x' })
    await h.app.db.query('UPDATE notes SET locked = true WHERE id = $1', [(locked.result as { note: { id: string } }).note.id])
    expect(codeOf(await post(member, locked.actionId!, 'undo'))).toEqual([409, 'CHAT_NOTE_LOCKED'])
    expect((await h.app.db.query('SELECT status FROM actions WHERE id = $1', [locked.actionId])).rows[0].status).toBe('done')
  })

  it('is too late for what never ran, what is not a write, and a task that is gone', async () => {
    const p = await proposed(member)
    expect(codeOf(await post(member, p.actionId!, 'undo'))).toEqual([409, 'CHAT_TOO_LATE_TO_UNDO'])
    const draft = await h.tools.call(h.turn(owner), { name: 'email_draft', arguments: { to: ['a@b.co'], subject: 's', body: 'b' } })
    await post(owner, draft.actionId!, 'approve')
    expect(codeOf(await post(owner, draft.actionId!, 'undo'))).toEqual([409, 'CHAT_TOO_LATE_TO_UNDO'])
    const made = await ran(member, 'task_update', { taskId: (await ran(member, 'task_create', { title: unique('Gone') }).then((v) => (v.result as { task: { id: string } }).task.id)), priority: 'high' })
    await h.app.db.query('UPDATE actions SET undo = jsonb_set(undo, \'{taskId}\', \'"01a21881-0000-7000-8000-000000000000"\') WHERE id = $1', [made.actionId])
    expect(codeOf(await post(member, made.actionId!, 'undo'))).toEqual([409, 'CHAT_TOO_LATE_TO_UNDO'])
  })
})

describe('expiry', () => {
  it('proposals expire after 7 days (the kit job) and can no longer be approved', async () => {
    const p = await proposed(member)
    await h.app.db.query("UPDATE actions SET expires_at = now() - interval '1 second' WHERE id = $1", [p.actionId])
    expect(codeOf(await post(member, p.actionId!, 'approve'))).toEqual([409, 'CHAT_ACTION_NOT_PENDING'])
    expect(await h.app.jobs.runOnce('actions-expire')).toBe('success')
    const { rows } = await h.app.db.query('SELECT status FROM actions WHERE id = $1', [p.actionId])
    expect(rows[0].status).toBe('expired')
    expect((await outboxEvents(h.app, 'chat.action.decided.v1', p.actionId!)).map((e) => e.data)).toEqual([{ actionId: p.actionId, decision: 'expired', by: 'system' }])
  })
})
