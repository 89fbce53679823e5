// Event payload contracts (SPEC §12): one schema per consumed event type, and a checker consumers run before
// acting, so a payload that breaks the contract fails loudly (and is dead-lettered) instead of writing garbage.
import type { TSchema } from 'typebox'
import { Value } from 'typebox/value'
import * as gh from './github-bot.js'
import * as is from './integration-sync.js'
import * as fw from './first-wave.js'

export * from './github-bot.js'
export * from './integration-sync.js'
export * from './first-wave.js'
export * from './gpu-coordinator.js'

/** Event type → its payload schema. */
export const eventPayloads = {
  'integration-sync.email.received.v1': is.EmailReceivedV1,
  'integration-sync.email.updated.v1': is.EmailUpdatedV1,
  'integration-sync.email.awaiting-response.v1': is.EmailAwaitingResponseV1,
  'integration-sync.calendar.event.upserted.v1': is.CalendarEventUpsertedV1,
  'integration-sync.calendar.event.deleted.v1': is.CalendarEventDeletedV1,
  'integration-sync.calendar.conflict.detected.v1': is.CalendarConflictDetectedV1,
  'integration-sync.transcript.action-item.found.v1': is.ActionItemFoundV1,
  'integration-sync.integration.status-changed.v1': is.IntegrationStatusChangedV1,
  'github-bot.alert.opened.v1': gh.AlertOpenedV1,
  'github-bot.alert.resolved.v1': gh.AlertResolvedV1,
  'github-bot.review.requested.v1': gh.ReviewV1,
  'github-bot.review.cleared.v1': gh.ReviewV1,
  'github-bot.issue.assigned.v1': gh.IssueAssignmentV1,
  'github-bot.issue.cleared.v1': gh.IssueAssignmentV1,
  'secrets.secret.rotation-due.v1': fw.SecretRotationDueV1,
  'secrets.secret.updated.v1': fw.SecretUpdatedV1,
  'auth.apikey.expiring.v1': fw.ApiKeyExpiringV1,
  'auth.apikey.revoked.v1': fw.ApiKeyRevokedV1,
  'chat.personality.updated.v1': fw.PersonalityUpdatedV1,
  'auth.user.created.v1': fw.UserCreatedV1,
  'auth.user.updated.v1': fw.UserUpdatedV1
} as const satisfies Record<string, TSchema>
export type PayloadEventType = keyof typeof eventPayloads

export class InvalidEventPayloadError extends Error {
  readonly code = 'EVENT_PAYLOAD_INVALID'
  constructor (readonly type: string, readonly problems: string[]) {
    super(`invalid ${type} payload: ${problems.join('; ')}`)
  }
}

/** The payload problems as `path: message` (at most 10), or [] when it matches the contract. */
export function payloadProblems (type: PayloadEventType, data: unknown): string[] {
  const schema: TSchema = eventPayloads[type]
  if (Value.Check(schema, data)) return []
  return [...Value.Errors(schema, data)].slice(0, 10).map((e) => `${e.instancePath || '/'}: ${e.message}`)
}
