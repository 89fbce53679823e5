// Building the SPEC §0.4 envelope for a new event. The schema, the name rule and uuidv7 live in @robbie/contracts.
import { EVENT_TYPE_RE, uuidv7, type EventEnvelope } from '@robbie/contracts'

type Data = Record<string, unknown>

/** What a producer passes to `outbox.add`; the outbox fills in the rest. */
export interface NewEvent<D extends Data = Data> {
  type: string
  subject: { type: string, id: string }
  data: D
  actor?: EventEnvelope['actor']
  visibility?: EventEnvelope['visibility']
  taint?: boolean
  traceId?: string
}

export class InvalidEventError extends Error {
  readonly code = 'BUS_INVALID_EVENT'
}

/** Builds and checks an envelope. A bad name is a programming error: it throws before anything is written. */
export function buildEnvelope<D extends Data> (producer: string, event: NewEvent<D>, now = new Date()): EventEnvelope<D> {
  if (!EVENT_TYPE_RE.test(event.type)) throw new InvalidEventError(`invalid event type "${event.type}"`)
  // SPEC §0.4: the first part of the name is the producing service.
  if (!event.type.startsWith(`${producer}.`)) {
    throw new InvalidEventError(`event type "${event.type}" does not belong to producer "${producer}"`)
  }
  const id = uuidv7(now.getTime())
  return {
    id,
    type: event.type,
    occurredAt: now.toISOString(),
    producer,
    subject: event.subject,
    ...(event.actor === undefined ? {} : { actor: event.actor }),
    visibility: event.visibility ?? 'company',
    taint: event.taint ?? false,
    traceId: event.traceId ?? id,
    data: event.data
  }
}
