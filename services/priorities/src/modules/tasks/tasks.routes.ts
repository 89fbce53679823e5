// Tasks API (SPEC §4.5), mounted under /api/priorities. Thin handlers: the items service decides visibility
// (404 for what the caller may not see) and who may write (403).
import type { FastifyInstance } from 'fastify'
import { type ItemsService, type ItemRow, viewerOf } from '../items/index.js'
import { CreateTaskBody, CreateTaskReply, IfMatch, ListTasksQuery, PatchTaskBody, SnoozeBody, TaskPage, TaskParams, TaskView } from './tasks.schemas.js'

const iso = (d: Date | null) => d?.toISOString() ?? null
const one = (x: number) => Math.round(x * 10 + 1e-9) / 10

export function toTaskView (i: ItemRow): TaskView {
  const t = i.task!
  return {
    id: i.id,
    number: t.number,
    kind: 'task',
    title: i.title,
    description: t.description,
    status: t.status,
    itemStatus: i.status,
    priority: t.priority,
    category: t.category,
    dueAt: iso(t.dueAt),
    ownerUserId: i.ownerUserId,
    assigneeUserId: i.assigneeUserId,
    requesterUserId: t.requesterUserId,
    visibility: i.visibility,
    tags: i.tags,
    associatedPeople: t.associatedPeople,
    associatedDeals: t.associatedDeals,
    watcherUserIds: t.watcherUserIds,
    quadrant: i.quadrant,
    importance: one(i.importance),
    urgency: one(i.urgency),
    score: one(i.score),
    domain: i.domainOverride ?? i.domain,
    snoozedUntil: iso(i.snoozedUntil),
    acknowledgedAt: iso(t.acknowledgedAt),
    escalatedAt: iso(t.escalatedAt),
    completedAt: iso(t.completedAt),
    createdAt: i.createdAt.toISOString(),
    updatedAt: i.updatedAt.toISOString(),
    version: i.version
  }
}

const ifMatch = (headers: unknown): number | undefined => {
  const v = (headers as { 'if-match'?: string })['if-match']
  return v === undefined ? undefined : Number(v.replace(/^W\//, '').replace(/"/g, ''))
}
const date = (s: string | null | undefined) => (s === undefined ? undefined : s === null ? null : new Date(s))

export async function tasksRoutes (app: FastifyInstance, opts: { items: ItemsService }): Promise<void> {
  const { items } = opts
  const read = { scope: 'priorities:read' }
  const write = { scope: 'priorities:write' }
  const tags = ['tasks']

  app.post('/tasks', {
    config: { ...write, idempotent: true },
    schema: { tags, summary: 'Create a task (or link to an existing duplicate)', body: CreateTaskBody, response: { 200: CreateTaskReply, 201: CreateTaskReply } }
  }, async (request, reply) => {
    const b = request.body as CreateTaskBody
    const r = await items.createTask(viewerOf(request.identity), { ...b, dueAt: date(b.dueAt) ?? undefined })
    return await reply.code(r.status === 'created' ? 201 : 200)
      .send({ status: r.status, task: toTaskView(r.item), ...(r.similarity !== undefined ? { similarity: r.similarity } : {}) })
  })

  app.get('/tasks', {
    config: read,
    schema: { tags, summary: 'Tasks the caller may read', querystring: ListTasksQuery, response: { 200: TaskPage } }
  }, async (request) => {
    const q = request.query as ListTasksQuery
    const viewer = viewerOf(request.identity)
    const page = await items.listTasks(viewer, {
      status: q.status,
      category: q.category,
      assignee: q.assignee === 'me' ? viewer.userId : q.assignee,
      q: q.q,
      dueBefore: date(q.dueBefore) ?? undefined,
      limit: q.limit,
      after: q.cursor
    })
    return { items: page.items.map(toTaskView), nextCursor: page.nextCursor }
  })

  app.get('/tasks/:id', {
    config: read,
    schema: { tags, summary: 'One task', params: TaskParams, response: { 200: TaskView } }
  }, async (request, reply) => {
    const task = await items.get(viewerOf(request.identity), (request.params as TaskParams).id, { task: true })
    return await reply.header('etag', `"${task.version}"`).send(toTaskView(task))
  })

  app.patch('/tasks/:id', {
    config: write,
    schema: { tags, summary: 'Change a task (If-Match: its version)', params: TaskParams, headers: IfMatch, body: PatchTaskBody, response: { 200: TaskView } }
  }, async (request) => {
    const b = request.body as PatchTaskBody
    const task = await items.updateTask(viewerOf(request.identity), (request.params as TaskParams).id, { ...b, dueAt: date(b.dueAt) }, ifMatch(request.headers))
    return toTaskView(task)
  })

  app.delete('/tasks/:id', {
    config: write,
    schema: { tags, summary: 'Cancel a task (soft)', params: TaskParams, headers: IfMatch, response: { 200: TaskView } }
  }, async (request) => toTaskView(await items.remove(viewerOf(request.identity), (request.params as TaskParams).id, ifMatch(request.headers))))

  for (const [verb, run] of [
    ['complete', items.complete],
    ['reopen', items.reopen],
    ['acknowledge', items.acknowledge]
  ] as const) {
    app.post(`/tasks/:id/${verb}`, {
      config: { ...write, idempotent: true },
      schema: { tags, summary: `${verb[0]!.toUpperCase()}${verb.slice(1)} a task`, params: TaskParams, response: { 200: TaskView } }
    }, async (request) => toTaskView(await run(viewerOf(request.identity), (request.params as TaskParams).id)))
  }

  app.post('/tasks/:id/snooze', {
    config: { ...write, idempotent: true },
    schema: { tags, summary: 'Snooze a task until a time', params: TaskParams, body: SnoozeBody, response: { 200: TaskView } }
  }, async (request) => toTaskView(await items.snooze(viewerOf(request.identity), (request.params as TaskParams).id, new Date((request.body as { until: string }).until))))
}
