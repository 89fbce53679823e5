// The consumed-event contracts accept what the producers send (SPEC §6, §9, §12) and refuse what breaks them.
import { describe, expect, it } from 'vitest'
import { eventPayloads, payloadProblems, type PayloadEventType } from './index.js'

const id = '01900000-0000-7000-8000-000000000001'
const at = '2026-11-26T10:00:00.000Z'
const valid: Record<PayloadEventType, Record<string, unknown>> = {
  'integration-sync.email.received.v1': { emailId: 'g1', threadId: 't1', from: { email: 'dana@example.com', name: 'Dana Reyes' }, to: ['me@example.com'], cc: [], subject: 'URGENT: contract redlines', bodyPreview: 'see attached', receivedAt: at, awaitingReply: true, bulk: false, deadlineHint: null, labels: ['INBOX'] },
  'integration-sync.email.updated.v1': { emailId: 'g1', replied: true, archived: false, version: 2 },
  'integration-sync.email.awaiting-response.v1': { threadId: 't1', to: ['dana@example.com'], subject: 'Renewal terms', sentAt: at },
  'integration-sync.calendar.event.upserted.v1': { eventId: 'e1', calendarId: 'primary', summary: 'Board', start: at, end: at, timeZone: 'Europe/Berlin', organizer: 'me@example.com', attendees: [{ email: 'a@example.com', name: 'A', response: 'accepted' }], myResponse: 'accepted', location: null, hasExternalAttendees: true, status: 'confirmed', version: 1 },
  'integration-sync.calendar.event.deleted.v1': { eventId: 'e1' },
  'integration-sync.calendar.conflict.detected.v1': { eventIds: ['e1', 'e2'], start: at, end: at },
  'integration-sync.transcript.action-item.found.v1': { actionItemId: 'abcdef0123456789', transcriptId: 'tr1', meetingTitle: 'Weekly', meetingDate: at, text: 'Send the deck', assigneeUserId: id, url: 'https://app.fireflies.ai/view/tr1' },
  'integration-sync.integration.status-changed.v1': { integration: 'google', from: 'connected', to: 'reauth_required', reason: 'invalid_grant' },
  'github-bot.alert.opened.v1': { alertId: 'acme/api:dependabot:7', repo: 'acme/api', kind: 'dependabot', number: 7, severity: 'medium', summary: 'lodash (medium) — prototype pollution', url: 'https://github.com/acme/api/security/dependabot/7', slaDueAt: at, assigneeUserId: null, publiclyLeaked: false },
  'github-bot.alert.resolved.v1': { alertId: 'acme/api:dependabot:7' },
  'github-bot.review.requested.v1': { repo: 'acme/api', number: 12, title: 'Fix login', url: 'https://github.com/acme/api/pull/12', reviewerUserId: id },
  'github-bot.review.cleared.v1': { repo: 'acme/api', number: 12, title: 'Fix login', url: 'https://github.com/acme/api/pull/12', reviewerUserId: id },
  'github-bot.issue.assigned.v1': { repo: 'acme/api', number: 3, title: 'Crash', url: 'https://github.com/acme/api/issues/3', assigneeUserId: id },
  'github-bot.issue.cleared.v1': { repo: 'acme/api', number: 3, title: 'Crash', url: 'https://github.com/acme/api/issues/3', assigneeUserId: id },
  'secrets.secret.rotation-due.v1': { secretId: id, service: 'smtp', name: 'password', scope: 'global', dueAt: at, reason: 'rotation', assigneeUserId: null },
  'secrets.secret.updated.v1': { secretId: id, service: 'smtp', name: 'password', scope: 'global', scopeId: '', version: 3, managed: false },
  'auth.apikey.expiring.v1': { keyId: id, userId: id, name: 'ci', expiresAt: at },
  'auth.apikey.revoked.v1': { keyId: id },
  'chat.personality.updated.v1': { userId: id, values: { gandhi: 9, flirty: 3, turbo: 5, auto: 3 }, mood: 'friendly', version: 4 },
  'auth.user.created.v1': { userId: id, role: 'owner' },
  'auth.user.updated.v1': { userId: id, role: 'member', status: 'disabled', version: 2 }
}

describe('consumed event payloads', () => {
  it('has a schema and a valid example for every type, all named by the §0.4 rule', () => {
    expect(Object.keys(valid).sort()).toEqual(Object.keys(eventPayloads).sort())
    for (const [type, data] of Object.entries(valid)) {
      expect(type).toMatch(/^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*){2,3}\.v[1-9][0-9]*$/)
      expect([type, payloadProblems(type as PayloadEventType, data)]).toEqual([type, []])
    }
  })

  it('refuses missing fields, wrong types, unbounded strings and bad formats', () => {
    const { emailId: _e, ...noId } = valid['integration-sync.email.received.v1']
    expect(payloadProblems('integration-sync.email.received.v1', noId)).not.toEqual([])
    expect(payloadProblems('integration-sync.email.received.v1', { ...noId, emailId: 'g1', bodyPreview: 'x'.repeat(2001) })).not.toEqual([])
    expect(payloadProblems('github-bot.alert.opened.v1', { ...valid['github-bot.alert.opened.v1'], repo: 'not a repo' })).not.toEqual([])
    expect(payloadProblems('auth.apikey.expiring.v1', { ...valid['auth.apikey.expiring.v1'], userId: 'nope' })).not.toEqual([])
    expect(payloadProblems('auth.apikey.expiring.v1', { ...valid['auth.apikey.expiring.v1'], expiresAt: 'tomorrow' })).not.toEqual([])
    expect(payloadProblems('chat.personality.updated.v1', { ...valid['chat.personality.updated.v1'], values: { gandhi: 11, flirty: 3, turbo: 5, auto: 3 } })).not.toEqual([])
    expect(payloadProblems('secrets.secret.rotation-due.v1', null)).not.toEqual([])
  })

  it('lets a producer add a field within v1', () => {
    expect(payloadProblems('auth.user.updated.v1', { ...valid['auth.user.updated.v1'], extra: 1 })).toEqual([])
  })
})
