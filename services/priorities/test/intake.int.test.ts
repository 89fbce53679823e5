// Intake (SPEC §4.8): every consumed event, as a real envelope from a real outbox and relay of its producer,
// creates or closes the right items; a payload that breaks its contract is dead-lettered and writes nothing.
import { beforeAll, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { uuidv7 } from '@robbie/contracts'
import { testContext } from '@robbie/testing'
import { buildPrioritiesApp, user } from './helper.js'
import { buildProducers, consumed, publish, until, type Producer } from './intake-producers.js'

const ctx = await testContext('priorities', { ROBBIE_EVENT_RECLAIM_MS: '50', ROBBIE_RATE_LIMIT_MULTIPLIER: '1000' })
const app: FastifyInstance = (await buildPrioritiesApp({ ctx })).app
const producers: Record<Producer, FastifyInstance> = await buildProducers(ctx)
const ownerId = uuidv7()
const H = 3_600_000
const iso = (msFromNow: number) => new Date(Date.now() + msFromNow).toISOString()

async function send (producer: Producer, type: string, data: Record<string, unknown>, visibility: 'owner' | 'private' | 'company' = 'owner') {
  const envelope = await publish(producers[producer], { type, data, visibility })
  await consumed(app, envelope.id)
  return envelope
}
async function itemBySource (type: string, id: string) {
  const { rows } = await app.db.query(
    `SELECT i.id, i.kind, i.title, i.owner_user_id, i.assignee_user_id, i.visibility, i.status, i.domain, i.deadline, i.urgency_override,
            i.sender_tier, i.sender_score, i.revenue_potential::float AS revenue, i.taint, i.awaiting_reply,
            t.status AS task_status, t.priority, t.category, t.due_at, t.escalated_at, t.watcher_user_ids,
            (SELECT count(*)::int FROM item_sources x WHERE x.item_id = i.id) AS sources
       FROM item_sources s JOIN items i ON i.id = s.item_id LEFT JOIN task_details t ON t.item_id = i.id
      WHERE s.source_type = $1 AND s.source_id = $2`, [type, id])
  return rows[0]
}
async function priEvents (type: string, itemId: string) {
  const { rows } = await app.db.query("SELECT envelope FROM outbox WHERE type = $1 AND envelope->'subject'->>'id' = $2", [type, itemId])
  return rows.length
}

beforeAll(async () => {
  await send('auth', 'auth.user.created.v1', { userId: ownerId, role: 'owner' }, 'company')
})

describe('first-wave events', () => {
  it('secrets.secret.rotation-due.v1 → a security task for the assignee; a new secret version completes it', async () => {
    const secretId = uuidv7()
    const assignee = uuidv7()
    const dueAt = iso(3 * 24 * H)
    await send('secrets', 'secrets.secret.rotation-due.v1', { secretId, service: 'smtp', name: 'password', scope: 'global', dueAt, reason: 'rotation', assigneeUserId: assignee }, 'private')
    const task = await itemBySource('secrets', `${secretId}:${dueAt}`)
    expect(task).toMatchObject({ kind: 'task', title: 'Rotate smtp/password', owner_user_id: assignee, assignee_user_id: assignee, visibility: 'private', status: 'open', task_status: 'pending', priority: 'high', category: 'security', domain: 'human' })
    expect(task.due_at.toISOString()).toBe(dueAt)
    expect(await priEvents('priorities.task.created.v1', task.id)).toBe(1)

    // no assignee → the owner's; overdue → critical
    const other = uuidv7()
    const overdue = iso(-H)
    await send('secrets', 'secrets.secret.rotation-due.v1', { secretId: other, service: 'github', name: 'token', scope: 'company', dueAt: overdue, reason: 'expiry', assigneeUserId: null })
    expect(await itemBySource('secrets', `${other}:${overdue}`)).toMatchObject({ title: 'Rotate github/token', owner_user_id: ownerId, visibility: 'owner', priority: 'critical' })

    await send('secrets', 'secrets.secret.updated.v1', { secretId, service: 'smtp', name: 'password', scope: 'global', scopeId: '', version: 2, managed: false }, 'company')
    expect(await itemBySource('secrets', `${secretId}:${dueAt}`)).toMatchObject({ status: 'done', task_status: 'completed' })
    expect(await priEvents('priorities.task.completed.v1', task.id)).toBe(1)
  })

  it('auth.apikey.expiring.v1 → "Renew API key <name>" for the key\'s user; revocation completes it', async () => {
    const keyId = uuidv7()
    const userId = uuidv7()
    await send('auth', 'auth.apikey.expiring.v1', { keyId, userId, name: 'ci-deploy', expiresAt: iso(10 * 24 * H) }, 'private')
    expect(await itemBySource('auth.apikey', keyId)).toMatchObject({ title: 'Renew API key ci-deploy', owner_user_id: userId, assignee_user_id: userId, visibility: 'private', priority: 'medium', category: 'security' })
    await send('auth', 'auth.apikey.revoked.v1', { keyId }, 'private')
    expect(await itemBySource('auth.apikey', keyId)).toMatchObject({ status: 'done', task_status: 'completed' })
  })

  it('chat.personality.updated.v1 → user_focus, ignoring older versions', async () => {
    const userId = uuidv7()
    const values = (gandhi: number) => ({ gandhi, flirty: 3, turbo: 5, auto: 3 })
    await send('chat', 'chat.personality.updated.v1', { userId, values: values(9), mood: 'friendly', version: 3 }, 'private')
    await send('chat', 'chat.personality.updated.v1', { userId, values: values(2), mood: 'bossy', version: 2 }, 'private')
    const focus = async () => (await app.db.query('SELECT gandhi, version FROM user_focus WHERE user_id = $1', [userId])).rows[0]
    expect(await focus()).toEqual({ gandhi: 9, version: 3 })
    await send('chat', 'chat.personality.updated.v1', { userId, values: values(2), mood: 'bossy', version: 4 }, 'private')
    expect(await focus()).toEqual({ gandhi: 2, version: 4 })
  })

  it('auth.user.updated.v1 disabled → the user\'s open tasks go unassigned and the owner gets a task', async () => {
    const member = uuidv7()
    await send('auth', 'auth.user.created.v1', { userId: member, role: 'member' }, 'company')
    const keyId = uuidv7()
    await send('auth', 'auth.apikey.expiring.v1', { keyId, userId: member, name: 'laptop', expiresAt: iso(5 * 24 * H) }, 'private')
    await send('auth', 'auth.user.updated.v1', { userId: member, role: 'member', status: 'disabled', version: 3 }, 'company')
    expect(await itemBySource('auth.apikey', keyId)).toMatchObject({ assignee_user_id: null, status: 'open' })
    expect(await itemBySource('auth.user.disabled', `${member}:3`)).toMatchObject({ title: 'Reassign 1 task of a disabled user', owner_user_id: ownerId })
    const known = await app.db.query('SELECT status, version FROM known_users WHERE user_id = $1', [member])
    expect(known.rows[0]).toEqual({ status: 'disabled', version: 3 })
  })
})

describe('integration-sync events (later wave, real envelopes)', () => {
  it('email.received → an owner email item with the sender\'s row and deal revenue; bulk is ignored; replied closes it', async () => {
    await app.db.query("INSERT INTO people (email, name, tier, score, response_hours, updated_at) VALUES ('dana@acme.test', 'Dana Reyes', 'c_level', 90, 4, now())")
    await app.db.query("INSERT INTO deals (external_id, name, amount, probability, contact_emails, owner_user_id, updated_at) VALUES ('d-1', 'Acme renewal', 120000, 50, '{dana@acme.test}', $1, now())", [ownerId])
    const email = { emailId: 'g-100', threadId: 't-100', from: { email: 'Dana@acme.test', name: 'Dana Reyes' }, to: ['me@corp.test'], cc: [], subject: 'URGENT: contract redlines', bodyPreview: 'please review', receivedAt: iso(0), awaitingReply: true, bulk: false, deadlineHint: iso(3 * H), labels: ['INBOX'] }
    await send('integration-sync', 'integration-sync.email.received.v1', email)
    expect(await itemBySource('gmail', 'g-100')).toMatchObject({ kind: 'email', title: 'URGENT: contract redlines', owner_user_id: ownerId, visibility: 'owner', sender_tier: 'c_level', sender_score: 90, revenue: 60000, taint: true, awaiting_reply: true, status: 'open' })
    await send('integration-sync', 'integration-sync.email.received.v1', { ...email, emailId: 'g-101', bulk: true })
    expect(await itemBySource('gmail', 'g-101')).toBeUndefined()
    await send('integration-sync', 'integration-sync.email.updated.v1', { emailId: 'g-100', replied: true, archived: false, version: 2 })
    expect(await itemBySource('gmail', 'g-100')).toMatchObject({ status: 'done' })
  })

  it('email.awaiting-response → an owner task "Follow up with …"', async () => {
    const sentAt = iso(-72 * H)
    await send('integration-sync', 'integration-sync.email.awaiting-response.v1', { threadId: 't-200', to: ['ops@vendor.test'], subject: 'Invoice 42', sentAt })
    expect(await itemBySource('gmail.follow-up', `t-200:${sentAt}`)).toMatchObject({ kind: 'task', title: 'Follow up with ops@vendor.test: Invoice 42', owner_user_id: ownerId, visibility: 'owner', category: 'email', taint: true })
  })

  it('calendar.event.upserted → a meeting; an older version is ignored; declined or deleted closes it', async () => {
    const ev = (eventId: string, version: number, extra: Record<string, unknown> = {}) => ({ eventId, calendarId: 'primary', summary: 'Board prep', start: iso(90 * 60_000), end: iso(150 * 60_000), timeZone: 'UTC', organizer: 'me@corp.test', attendees: [{ email: 'me@corp.test', name: 'Me', response: 'accepted' }, { email: 'cfo@corp.test', name: 'CFO', response: 'accepted' }], myResponse: 'accepted', location: null, hasExternalAttendees: false, status: 'confirmed', version, ...extra })
    await send('integration-sync', 'integration-sync.calendar.event.upserted.v1', ev('cal-1', 2))
    expect(await itemBySource('calendar', 'cal-1')).toMatchObject({ kind: 'meeting', title: 'Board prep', owner_user_id: ownerId, visibility: 'owner', status: 'open', domain: 'human' })
    await send('integration-sync', 'integration-sync.calendar.event.upserted.v1', ev('cal-1', 1, { summary: 'Old title' }))
    expect(await itemBySource('calendar', 'cal-1')).toMatchObject({ title: 'Board prep', status: 'open' })
    await send('integration-sync', 'integration-sync.calendar.event.upserted.v1', ev('cal-1', 3, { myResponse: 'declined' }))
    expect(await itemBySource('calendar', 'cal-1')).toMatchObject({ status: 'done' })

    await send('integration-sync', 'integration-sync.calendar.event.upserted.v1', ev('cal-2', 1))
    await send('integration-sync', 'integration-sync.calendar.event.deleted.v1', { eventId: 'cal-2' })
    expect(await itemBySource('calendar', 'cal-2')).toMatchObject({ status: 'done' })
    // alone (no other attendee): no meeting item
    await send('integration-sync', 'integration-sync.calendar.event.upserted.v1', ev('cal-3', 1, { attendees: [{ email: 'me@corp.test', name: 'Me', response: 'accepted' }] }))
    expect(await itemBySource('calendar', 'cal-3')).toBeUndefined()
  })

  it('calendar.conflict.detected → a conflict item for the owner', async () => {
    await send('integration-sync', 'integration-sync.calendar.conflict.detected.v1', { eventIds: ['cal-9', 'cal-8'], start: iso(5 * H), end: iso(6 * H) })
    expect(await itemBySource('calendar.conflict', 'cal-8|cal-9')).toMatchObject({ kind: 'calendar_conflict', title: 'Calendar conflict: 2 events overlap', owner_user_id: ownerId })
  })

  it('transcript.action-item.found → a meeting task for the assignee (high when due within a day)', async () => {
    const assignee = uuidv7()
    await send('integration-sync', 'integration-sync.transcript.action-item.found.v1', { actionItemId: 'a1b2c3d4e5f60718', transcriptId: 'tr-1', meetingTitle: 'Weekly', meetingDate: iso(-H), text: 'Send the pricing deck to Dana', assigneeUserId: assignee, dueAt: iso(12 * H), url: 'https://app.fireflies.ai/view/tr-1' }, 'private')
    expect(await itemBySource('fireflies', 'a1b2c3d4e5f60718')).toMatchObject({ title: 'Send the pricing deck to Dana', owner_user_id: assignee, category: 'meeting', priority: 'high', taint: true })
    // a near-identical item from another meeting links to the same task (SPEC §4.5)
    await send('integration-sync', 'integration-sync.transcript.action-item.found.v1', { actionItemId: 'ffffffffffffffff', transcriptId: 'tr-2', meetingTitle: 'Sync', meetingDate: iso(-H), text: 'send the pricing deck to Dana', assigneeUserId: assignee, url: '' }, 'private')
    const first = await itemBySource('fireflies', 'a1b2c3d4e5f60718')
    expect(await itemBySource('fireflies', 'ffffffffffffffff')).toMatchObject({ id: first.id, sources: 2 })
  })

  it('integration.status-changed to reauth_required → "Reconnect <integration>" (high, owner); other changes nothing', async () => {
    await send('integration-sync', 'integration-sync.integration.status-changed.v1', { integration: 'fireflies', from: 'connected', to: 'degraded', reason: null })
    const e = await send('integration-sync', 'integration-sync.integration.status-changed.v1', { integration: 'google', from: 'connected', to: 'reauth_required', reason: 'invalid_grant' })
    expect(await itemBySource('integration-sync.status', e.id)).toMatchObject({ title: 'Reconnect google', owner_user_id: ownerId, priority: 'high' })
    const { rows } = await app.db.query("SELECT count(*)::int AS n FROM items WHERE title = 'Reconnect fireflies'")
    expect(rows[0].n).toBe(0)
  })
})

describe('github-bot events (later wave, real envelopes)', () => {
  const alert = (alertId: string, extra: Record<string, unknown> = {}) => ({ alertId, repo: 'acme/api', kind: 'dependabot', number: 7, severity: 'medium', summary: 'lodash (medium) — prototype pollution', url: 'https://github.com/acme/api/security/dependabot/7', slaDueAt: iso(14 * 24 * H), assigneeUserId: null, publiclyLeaked: false, ...extra })

  it('alert.opened → a company security task (SPEC §9 priority and SLA); alert.resolved completes it', async () => {
    await send('github-bot', 'github-bot.alert.opened.v1', alert('acme/api:dependabot:7'), 'company')
    expect(await itemBySource('github.alert', 'acme/api:dependabot:7')).toMatchObject({ title: 'Security: lodash (medium) — prototype pollution', visibility: 'company', owner_user_id: ownerId, priority: 'medium', category: 'security', domain: 'human' })
    await send('github-bot', 'github-bot.alert.resolved.v1', { alertId: 'acme/api:dependabot:7' }, 'company')
    expect(await itemBySource('github.alert', 'acme/api:dependabot:7')).toMatchObject({ status: 'done', task_status: 'completed' })
  })

  it('a publicly leaked secret: critical, urgency override 100, escalated to the owner at once', async () => {
    const dev = uuidv7()
    await send('github-bot', 'github-bot.alert.opened.v1', alert('acme/api:secret_scanning:2', { kind: 'secret_scanning', number: 2, severity: 'high', summary: 'AWS key in acme/api', assigneeUserId: dev, publiclyLeaked: true, slaDueAt: iso(24 * H) }), 'company')
    const task = await itemBySource('github.alert', 'acme/api:secret_scanning:2')
    expect(task).toMatchObject({ title: 'Leaked secret: AWS key in acme/api', assignee_user_id: dev, priority: 'critical', urgency_override: 100, watcher_user_ids: [ownerId] })
    expect(task.escalated_at).toBeInstanceOf(Date)
  })

  it('review.requested / cleared and issue.assigned / cleared', async () => {
    const dev = uuidv7()
    const pr = { repo: 'acme/web', number: 12, title: 'Fix login', url: 'https://github.com/acme/web/pull/12', reviewerUserId: dev }
    await send('github-bot', 'github-bot.review.requested.v1', pr, 'company')
    expect(await itemBySource('github.review', `acme/web#12:${dev}`)).toMatchObject({ title: 'Review PR #12: Fix login', assignee_user_id: dev, visibility: 'company', status: 'open' })
    await send('github-bot', 'github-bot.review.cleared.v1', pr, 'company')
    expect(await itemBySource('github.review', `acme/web#12:${dev}`)).toMatchObject({ status: 'done' })
    const issue = { repo: 'acme/web', number: 3, title: 'Crash on save', url: 'https://github.com/acme/web/issues/3', assigneeUserId: dev }
    await send('github-bot', 'github-bot.issue.assigned.v1', issue, 'company')
    expect(await itemBySource('github.issue', `acme/web#3:${dev}`)).toMatchObject({ title: 'Issue #3: Crash on save', status: 'open' })
    await send('github-bot', 'github-bot.issue.cleared.v1', issue, 'company')
    expect(await itemBySource('github.issue', `acme/web#3:${dev}`)).toMatchObject({ status: 'done', task_status: 'completed' })
  })
})

describe('freshness', () => {
  it('an item made from an event shows on the next surface read of its user (cached surface invalidated)', async () => {
    const owner = await user('owner', ownerId)
    const surface = async () => (await app.inject({ url: '/api/priorities/surface?top=50', headers: owner.headers })).json() as { surfaced: Array<{ id: string }> }
    await surface() // warm the cache
    await send('github-bot', 'github-bot.alert.opened.v1', { ...alert0(), alertId: 'fresh:1', severity: 'critical', summary: 'fresh alert' }, 'company')
    const item = await itemBySource('github.alert', 'fresh:1')
    // the version bump follows the bus's commit (SPEC §4.7); the read after it is never the cached one
    const seen = await until(async () => (await surface()).surfaced.some((s) => s.id === item.id), 5000)
    expect(seen).toBe(true)
  })
})

describe('contract violations', () => {
  it('an invalid payload is dead-lettered after the retries and writes nothing; later events still flow', async () => {
    const bad = await publish(producers['github-bot'], { type: 'github-bot.alert.opened.v1', data: { ...alert0(), repo: 'not a repo' }, visibility: 'company' })
    const dead = await until(async () => (await app.bus.deadLetters.list({ limit: 50 })).items.find((d) => d.eventId === bad.id), 25_000)
    expect(dead.lastError).toMatch(/invalid github-bot\.alert\.opened\.v1 payload/)
    expect(dead.deliveries).toBe(5)
    expect(await itemBySource('github.alert', 'bad:1')).toBeUndefined()
    await send('github-bot', 'github-bot.alert.opened.v1', { ...alert0(), alertId: 'good:1' }, 'company')
    expect(await itemBySource('github.alert', 'good:1')).toMatchObject({ status: 'open' })
  })
})
function alert0 () {
  return { alertId: 'bad:1', repo: 'acme/api', kind: 'code_scanning', number: 1, severity: 'error', summary: 'sql-injection in acme/api', url: 'https://github.com/acme/api/security/code-scanning/1', slaDueAt: iso(72 * H), assigneeUserId: null, publiclyLeaked: false }
}
