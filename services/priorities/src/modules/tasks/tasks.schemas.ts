// Request and response schemas of the tasks API (SPEC §4.5).
import { Type, type Static, type TSchema } from 'typebox'
import { Email, Id, IsoDateTime, Page, Str } from '@robbie/contracts'
import { Category, TaskPriority } from '../scoring/scoring.schemas.js'

const Person = Type.Object({ email: Email, name: Type.Optional(Str(200)) }, { additionalProperties: false })
const Deal = Type.Object({ id: Str(200, 1), name: Type.Optional(Str(300)), amount: Type.Optional(Type.Number({ minimum: 0, maximum: 1e12 })) }, { additionalProperties: false })
const Tags = Type.Array(Str(64, 1), { maxItems: 32 })
const Title = Str(300, 1)
const TaskStatus = Type.Union([Type.Literal('pending'), Type.Literal('in_progress'), Type.Literal('completed'), Type.Literal('cancelled')])

export const CreateTaskBody = Type.Object({
  title: Title,
  description: Type.Optional(Str(10000)),
  priority: Type.Optional(TaskPriority),
  category: Type.Optional(Category),
  dueAt: Type.Optional(IsoDateTime),
  assigneeUserId: Type.Optional(Id),
  visibility: Type.Optional(Type.Union([Type.Literal('private'), Type.Literal('company')])),
  associatedPeople: Type.Optional(Type.Array(Person, { maxItems: 100 })),
  associatedDeals: Type.Optional(Type.Array(Deal, { maxItems: 100 })),
  tags: Type.Optional(Tags),
  sourceType: Type.Optional(Type.String({ pattern: '^[a-z][a-z0-9_.-]{0,39}$', maxLength: 40 })),
  sourceId: Type.Optional(Str(500, 1)),
  sourceUrl: Type.Optional(Type.String({ format: 'uri', maxLength: 2000 }))
}, { additionalProperties: false })
export type CreateTaskBody = Static<typeof CreateTaskBody>

export const PatchTaskBody = Type.Object({
  title: Type.Optional(Title),
  description: Type.Optional(Type.Union([Str(10000), Type.Null()])),
  priority: Type.Optional(TaskPriority),
  category: Type.Optional(Category),
  dueAt: Type.Optional(Type.Union([IsoDateTime, Type.Null()])),
  assigneeUserId: Type.Optional(Type.Union([Id, Type.Null()])),
  visibility: Type.Optional(Type.Union([Type.Literal('private'), Type.Literal('company')])),
  associatedPeople: Type.Optional(Type.Array(Person, { maxItems: 100 })),
  associatedDeals: Type.Optional(Type.Array(Deal, { maxItems: 100 })),
  tags: Type.Optional(Tags),
  status: Type.Optional(TaskStatus)
}, { additionalProperties: false, minProperties: 1 })
export type PatchTaskBody = Static<typeof PatchTaskBody>

export const SnoozeBody = Type.Object({ until: IsoDateTime }, { additionalProperties: false })
export const TaskParams = Type.Object({ id: Id }, { additionalProperties: false })
export type TaskParams = Static<typeof TaskParams>
export const IfMatch = Type.Object({ 'if-match': Type.Optional(Type.String({ pattern: '^(W/)?"?[0-9]{1,10}"?$', maxLength: 16 })) })

export const ListTasksQuery = Type.Object({
  status: Type.Optional(TaskStatus),
  category: Type.Optional(Category),
  assignee: Type.Optional(Type.Union([Type.Literal('me'), Id])),
  q: Type.Optional(Str(200, 1)),
  dueBefore: Type.Optional(IsoDateTime),
  limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
  cursor: Type.Optional(Type.String({ format: 'uuid', maxLength: 36 }))
}, { additionalProperties: false })
export type ListTasksQuery = Static<typeof ListTasksQuery>

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()])
export const TaskView = Type.Object({
  id: Type.String(),
  number: Type.Integer(),
  kind: Type.Literal('task'),
  title: Type.String(),
  description: Nullable(Type.String()),
  status: TaskStatus,
  itemStatus: Type.String(),
  priority: Type.String(),
  category: Type.String(),
  dueAt: Nullable(Type.String()),
  ownerUserId: Type.String(),
  assigneeUserId: Nullable(Type.String()),
  requesterUserId: Nullable(Type.String()),
  visibility: Type.String(),
  tags: Type.Array(Type.String()),
  associatedPeople: Type.Array(Type.Object({ email: Type.Optional(Type.String()), name: Type.Optional(Type.String()) })),
  associatedDeals: Type.Array(Type.Object({ id: Type.Optional(Type.String()), name: Type.Optional(Type.String()), amount: Type.Optional(Type.Number()) })),
  watcherUserIds: Type.Array(Type.String()),
  quadrant: Type.String(),
  importance: Type.Number(),
  urgency: Type.Number(),
  score: Type.Number(),
  domain: Type.String(),
  snoozedUntil: Nullable(Type.String()),
  acknowledgedAt: Nullable(Type.String()),
  escalatedAt: Nullable(Type.String()),
  completedAt: Nullable(Type.String()),
  createdAt: Type.String(),
  updatedAt: Type.String(),
  version: Type.Integer()
}, { additionalProperties: false })
export type TaskView = Static<typeof TaskView>

export const CreateTaskReply = Type.Object({
  status: Type.Union([Type.Literal('created'), Type.Literal('existing')]),
  task: TaskView,
  similarity: Type.Optional(Type.Number())
}, { additionalProperties: false })
export const TaskPage = Page(TaskView)
