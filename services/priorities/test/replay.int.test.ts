// Must show (issue 5): replaying every consumed event a second time changes nothing. Each event type is sent as
// a real envelope through its producer's outbox and relay, then delivered again twice: once as is (the inbox
// drops it), once with its inbox row removed, so the handler's own idempotency (source ids, versions) is what
// keeps the state unchanged.
import { describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { eventPayloads, uuidv7 } from '@robbie/contracts'
import { testContext } from '@robbie/testing'
import { buildPrioritiesApp } from './helper.js'
import { buildProducers, consumed, publish, redeliverBypassingInbox, snapshot, type Producer } from './intake-producers.js'

const ctx = await testContext('priorities', { ROBBIE_EVENT_RECLAIM_MS: '50', LOG_LEVEL: 'error' })
const app: FastifyInstance = (await buildPrioritiesApp({ ctx })).app
const producers: Record<Producer, FastifyInstance> = await buildProducers(ctx)
const H = 3_600_000
const iso = (ms: number) => new Date(Date.now() + ms).toISOString()
const owner = uuidv7()
const member = uuidv7()
const secretId = uuidv7()
const keyId = uuidv7()
const dueAt = iso(2 * 24 * H)
const meeting = { eventId: 'cal-r', calendarId: 'primary', summary: 'Pipeline review', start: iso(3 * H), end: iso(4 * H), timeZone: 'UTC', organizer: 'me@corp.test', attendees: [{ email: 'me@corp.test', name: 'Me', response: 'accepted' }, { email: 'vp@corp.test', name: 'VP', response: 'accepted' }], myResponse: 'accepted', location: null, hasExternalAttendees: false, status: 'confirmed', version: 1 }
const pr = { repo: 'acme/web', number: 5, title: 'Refactor', url: 'https://github.com/acme/web/pull/5', reviewerUserId: member }
const issue = { repo: 'acme/web', number: 6, title: 'Bug', url: 'https://github.com/acme/web/issues/6', assigneeUserId: member }

// In an order where each closing event finds what the creating one made.
const events: Array<[Producer, string, Record<string, unknown>]> = [
  ['auth', 'auth.user.created.v1', { userId: owner, role: 'owner' }],
  ['auth', 'auth.user.created.v1', { userId: member, role: 'member' }],
  ['secrets', 'secrets.secret.rotation-due.v1', { secretId, service: 'smtp', name: 'password', scope: 'global', dueAt, reason: 'rotation', assigneeUserId: member }],
  ['secrets', 'secrets.secret.updated.v1', { secretId, service: 'smtp', name: 'password', scope: 'global', scopeId: '', version: 2, managed: false }],
  ['auth', 'auth.apikey.expiring.v1', { keyId, userId: member, name: 'ci', expiresAt: iso(3 * 24 * H) }],
  ['chat', 'chat.personality.updated.v1', { userId: member, values: { gandhi: 8, flirty: 3, turbo: 5, auto: 3 }, mood: 'friendly', version: 2 }],
  ['integration-sync', 'integration-sync.email.received.v1', { emailId: 'g-r', threadId: 't-r', from: { email: 'x@acme.test', name: 'X' }, to: ['me@corp.test'], cc: [], subject: 'Contract today', bodyPreview: '', receivedAt: iso(0), awaitingReply: true, bulk: false, deadlineHint: null, labels: [] }],
  ['integration-sync', 'integration-sync.email.updated.v1', { emailId: 'g-r', replied: false, archived: true, version: 2 }],
  ['integration-sync', 'integration-sync.email.awaiting-response.v1', { threadId: 't-r', to: ['x@acme.test'], subject: 'Contract today', sentAt: iso(-72 * H) }],
  ['integration-sync', 'integration-sync.calendar.event.upserted.v1', meeting],
  ['integration-sync', 'integration-sync.calendar.conflict.detected.v1', { eventIds: ['cal-r', 'cal-s'], start: iso(3 * H), end: iso(4 * H) }],
  ['integration-sync', 'integration-sync.calendar.event.deleted.v1', { eventId: 'cal-r' }],
  ['integration-sync', 'integration-sync.transcript.action-item.found.v1', { actionItemId: '0123456789abcdef', transcriptId: 'tr-r', meetingTitle: 'Weekly', meetingDate: iso(-H), text: 'Draft the hiring plan', assigneeUserId: member, dueAt: iso(48 * H), url: '' }],
  ['integration-sync', 'integration-sync.integration.status-changed.v1', { integration: 'google', from: 'connected', to: 'reauth_required', reason: 'invalid_grant' }],
  ['github-bot', 'github-bot.alert.opened.v1', { alertId: 'acme/web:dependabot:1', repo: 'acme/web', kind: 'dependabot', number: 1, severity: 'high', summary: 'axios (high) — SSRF', url: 'https://github.com/acme/web/security/dependabot/1', slaDueAt: iso(72 * H), assigneeUserId: member, publiclyLeaked: true }],
  ['github-bot', 'github-bot.alert.resolved.v1', { alertId: 'acme/web:dependabot:1' }],
  ['github-bot', 'github-bot.review.requested.v1', pr],
  ['github-bot', 'github-bot.review.cleared.v1', pr],
  ['github-bot', 'github-bot.issue.assigned.v1', issue],
  ['github-bot', 'github-bot.issue.cleared.v1', issue],
  ['auth', 'auth.user.updated.v1', { userId: member, role: 'member', status: 'disabled', version: 2 }],
  ['auth', 'auth.apikey.revoked.v1', { keyId }]
]

describe('replaying every consumed event', () => {
  it('covers every type priorities consumes', () => {
    expect([...new Set(events.map((e) => e[1]))].sort()).toEqual(Object.keys(eventPayloads).sort())
  })

  it.each(events.map((e, n) => [n, e[1], e] as const))('#%i %s delivered again changes nothing', async (_n, _type, [producer, type, data]) => {
    const envelope = await publish(producers[producer], { type, data, visibility: 'company' })
    await consumed(app, envelope.id)
    const before = await snapshot(app)
    // as is: the inbox drops it; then without its inbox row: the handler itself must change nothing
    await app.redis.client.xadd(app.redis.keys.stream(producer), '*', 'type', envelope.type, 'envelope', JSON.stringify(envelope))
    await redeliverBypassingInbox(app, producer, envelope)
    expect(await snapshot(app)).toEqual(before)
  })

  it('the events above had effects (a replay test over an empty state would prove nothing)', async () => {
    const { rows } = await app.db.query<{ kind: string, status: string, n: number }>(
      'SELECT kind, status, count(*)::int AS n FROM items GROUP BY kind, status ORDER BY kind, status')
    expect(rows).toEqual(expect.arrayContaining([
      { kind: 'task', status: 'done', n: 5 }, // rotation, alert, review, issue, api key
      { kind: 'email', status: 'done', n: 1 },
      { kind: 'meeting', status: 'done', n: 1 },
      { kind: 'calendar_conflict', status: 'open', n: 1 }
    ]))
    expect((await app.db.query('SELECT gandhi FROM user_focus WHERE user_id = $1', [member])).rows).toEqual([{ gandhi: 8 }])
  })
})
