// Request and response schemas of the actions API (SPEC §3.7).
import { Type, type Static, type TSchema } from 'typebox'
import { Id, Page, Str } from '@robbie/contracts'
import type { ActionRow } from './actions.repository.js'

const L = <V extends string>(v: V) => Type.Literal(v)
const ActionStatus = Type.Union(['proposed', 'approved', 'rejected', 'executing', 'scheduled', 'done', 'failed', 'undone', 'expired', 'cancelled'].map(L))
const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()])

export const ActionView = Type.Object({
  id: Type.String(),
  tool: Type.String(),
  class: Type.String(),
  // the tool's arguments and result: checked against the tool's own schema when stored, free-form here
  args: Type.Unknown(),
  origin: Type.String(),
  requesterId: Type.String(),
  conversationId: Nullable(Type.String()),
  messageId: Nullable(Type.String()),
  confidence: Type.Number(),
  taint: Type.Boolean(),
  status: Type.String(),
  decidedBy: Nullable(Type.String()),
  decidedAt: Nullable(Type.String()),
  executeAfter: Nullable(Type.String()),
  targetService: Nullable(Type.String()),
  targetRef: Nullable(Type.String()),
  result: Type.Unknown(),
  error: Nullable(Type.String()),
  createdAt: Type.String(),
  expiresAt: Nullable(Type.String())
}, { additionalProperties: false })
export type ActionView = Static<typeof ActionView>
export const ActionPage = Page(ActionView)

const iso = (d: Date | null) => d?.toISOString() ?? null
export const toActionView = (a: ActionRow): ActionView => ({
  id: a.id,
  tool: a.tool,
  class: a.class,
  args: a.args,
  origin: a.origin,
  requesterId: a.requesterId,
  conversationId: a.conversationId,
  messageId: a.messageId,
  confidence: a.confidence,
  taint: a.taint,
  status: a.status,
  decidedBy: a.decidedBy,
  decidedAt: iso(a.decidedAt),
  executeAfter: iso(a.executeAfter),
  targetService: a.targetService,
  targetRef: a.targetRef,
  result: a.result,
  error: a.error,
  createdAt: a.createdAt.toISOString(),
  expiresAt: iso(a.expiresAt)
})

export const ActionParams = Type.Object({ id: Id }, { additionalProperties: false })
export type ActionParams = Static<typeof ActionParams>

export const ListActionsQuery = Type.Object({
  status: Type.Optional(ActionStatus),
  limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
  cursor: Type.Optional(Id)
}, { additionalProperties: false })
export type ListActionsQuery = Static<typeof ListActionsQuery>

/** `edits` change some of the tool's arguments (e.g. a draft's body); the result is checked like the original. */
export const ApproveBody = Type.Object({
  edits: Type.Optional(Type.Record(Type.String({ maxLength: 64 }), Type.Unknown(), { maxProperties: 20 }))
}, { additionalProperties: false })
export type ApproveBody = Static<typeof ApproveBody>
export const RejectBody = Type.Object({ reason: Type.Optional(Str(500)) }, { additionalProperties: false })
export type RejectBody = Static<typeof RejectBody>
