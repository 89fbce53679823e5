// SPEC §0.4: the event envelope and the naming rule for event types.
import { Type, type Static } from 'typebox'
import { Str } from './primitives.js'

export const EVENT_TYPE_RE = /^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*){2,3}\.v[1-9][0-9]*$/
export const Visibility = Type.Union([Type.Literal('owner'), Type.Literal('private'), Type.Literal('company')])
export type Visibility = Static<typeof Visibility>

export const EventEnvelope = Type.Object({
  id: Str(36, 36),
  type: Type.String({ pattern: EVENT_TYPE_RE.source, maxLength: 120 }),
  occurredAt: Str(40),
  producer: Str(40, 1),
  subject: Type.Object({ type: Str(60, 1), id: Str(200, 1) }),
  actor: Type.Optional(Type.Object({
    type: Type.Union([Type.Literal('user'), Type.Literal('service'), Type.Literal('system')]),
    id: Str(200, 1)
  })),
  visibility: Visibility,
  taint: Type.Boolean(),
  traceId: Str(100, 1),
  data: Type.Record(Type.String(), Type.Unknown())
})
export type EventEnvelope<D extends Record<string, unknown> = Record<string, unknown>> =
  Omit<Static<typeof EventEnvelope>, 'data'> & { data: D }
