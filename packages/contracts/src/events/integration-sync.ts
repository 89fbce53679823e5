// Payloads of the integration-sync events priorities consumes (SPEC §6.2, §6.4, §6.5, §6.1, §12). The producer comes
// in the integrations wave; these schemas are the contract both sides code against. Extra properties are allowed
// (a producer may add a field within v1); every string is bounded.
import { Type, type Static } from 'typebox'
import { Id, IsoDateTime, Str } from '../primitives.js'

const Address = Str(320, 3)
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()])

export const EmailReceivedV1 = Type.Object({
  emailId: Str(100, 1),
  threadId: Str(100, 1),
  from: Type.Object({ email: Address, name: Str(200) }),
  to: Type.Array(Address, { maxItems: 100 }),
  cc: Type.Array(Address, { maxItems: 100 }),
  subject: Str(998),
  bodyPreview: Str(2000),
  receivedAt: IsoDateTime,
  awaitingReply: Type.Boolean(),
  bulk: Type.Boolean(),
  deadlineHint: Nullable(IsoDateTime),
  labels: Type.Array(Str(100, 1), { maxItems: 100 })
})
export type EmailReceivedV1 = Static<typeof EmailReceivedV1>

export const EmailUpdatedV1 = Type.Object({
  emailId: Str(100, 1),
  replied: Type.Boolean(),
  archived: Type.Boolean(),
  version: Type.Integer({ minimum: 1 })
})
export type EmailUpdatedV1 = Static<typeof EmailUpdatedV1>

/** A thread the owner wrote last, unanswered for 3 days (hourly job, SPEC §6.2). */
export const EmailAwaitingResponseV1 = Type.Object({
  threadId: Str(100, 1),
  to: Type.Array(Address, { minItems: 1, maxItems: 100 }),
  subject: Str(998),
  sentAt: IsoDateTime
})
export type EmailAwaitingResponseV1 = Static<typeof EmailAwaitingResponseV1>

export const AttendeeResponse = Type.Union(['needsAction', 'declined', 'tentative', 'accepted'].map((r) => Type.Literal(r)))
export const CalendarEventUpsertedV1 = Type.Object({
  eventId: Str(1024, 1),
  calendarId: Str(320, 1),
  summary: Str(1000),
  start: IsoDateTime,
  end: IsoDateTime,
  timeZone: Str(64),
  organizer: Nullable(Address),
  attendees: Type.Array(Type.Object({ email: Address, name: Str(200), response: AttendeeResponse }), { maxItems: 500 }),
  /** null when the owner is not on the guest list (their own event without attendees) */
  myResponse: Nullable(AttendeeResponse),
  location: Nullable(Str(1000)),
  hasExternalAttendees: Type.Boolean(),
  status: Type.Union([Type.Literal('confirmed'), Type.Literal('tentative'), Type.Literal('cancelled')]),
  version: Type.Integer({ minimum: 1 })
})
export type CalendarEventUpsertedV1 = Static<typeof CalendarEventUpsertedV1>

export const CalendarEventDeletedV1 = Type.Object({ eventId: Str(1024, 1) })
export type CalendarEventDeletedV1 = Static<typeof CalendarEventDeletedV1>

export const CalendarConflictDetectedV1 = Type.Object({
  eventIds: Type.Array(Str(1024, 1), { minItems: 2, maxItems: 50 }),
  start: IsoDateTime,
  end: IsoDateTime
})
export type CalendarConflictDetectedV1 = Static<typeof CalendarConflictDetectedV1>

export const ActionItemFoundV1 = Type.Object({
  /** first 16 hex of SHA-256(transcriptId | normalised text), stable across re-syncs (SPEC §6.5) */
  actionItemId: Str(64, 1),
  transcriptId: Str(200, 1),
  meetingTitle: Str(300),
  meetingDate: IsoDateTime,
  text: Str(2000, 1),
  assigneeUserId: Id,
  dueAt: Type.Optional(Nullable(IsoDateTime)),
  url: Str(2048)
})
export type ActionItemFoundV1 = Static<typeof ActionItemFoundV1>

export const IntegrationName = Type.Union([Type.Literal('google'), Type.Literal('smtp'), Type.Literal('fireflies')])
export const IntegrationStatus = Type.Union(['connected', 'degraded', 'reauth_required', 'not_connected'].map((s) => Type.Literal(s)))
export const IntegrationStatusChangedV1 = Type.Object({
  integration: IntegrationName,
  from: IntegrationStatus,
  to: IntegrationStatus,
  reason: Nullable(Str(500))
})
export type IntegrationStatusChangedV1 = Static<typeof IntegrationStatusChangedV1>
