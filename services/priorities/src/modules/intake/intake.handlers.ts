// What each consumed event does to items (SPEC §4.8). Every handler runs inside the bus's inbox transaction
// (`client`), checks the payload against its contract first (a broken payload throws and is dead-lettered after
// the bus's retries, before anything is written), and is idempotent on its own through source ids: a second
// delivery finds the item of its source, or finds it already closed, and changes nothing.
import {
  InvalidEventPayloadError, payloadProblems, type EventEnvelope, type PayloadEventType,
  type ActionItemFoundV1, type AlertOpenedV1, type AlertResolvedV1, type ApiKeyExpiringV1, type ApiKeyRevokedV1,
  type CalendarConflictDetectedV1, type CalendarEventDeletedV1, type CalendarEventUpsertedV1, type EmailReceivedV1,
  type EmailUpdatedV1, type EmailAwaitingResponseV1, type IntegrationStatusChangedV1, type IssueAssignmentV1, type PersonalityUpdatedV1,
  type ReviewV1, type SecretRotationDueV1, type SecretUpdatedV1, type UserCreatedV1, type UserUpdatedV1
} from '@robbie/contracts'
import type { PoolClient } from '@robbie/db'
import type { Outbox } from '@robbie/bus'
import { taskEvent, type Affected, type ItemsRepository, type ItemsService, type SourceInput } from '../items/index.js'
import type { IntakeRepository, NewItem } from './intake.repository.js'
import { actionItemPriority, alertPriority, alertTitle, dueDatePriority, isMeeting } from './intake.rules.js'

export class OwnerUnknownError extends Error {
  readonly code = 'PRIORITIES_OWNER_UNKNOWN'
  constructor () { super('the owner is not known yet (no auth.user event seen): retried, then dead-lettered for replay') }
}

export interface IntakeDeps {
  repo: IntakeRepository
  /** P2's items service: every create path goes through its dedup (SPEC §4.5) and emits priorities.task.created.v1 */
  items: Pick<ItemsService, 'createFromSource'>
  itemsRepo: Pick<ItemsRepository, 'findById'>
  outbox: Pick<Outbox, 'add'>
  /** called with what changed, once the handler's transaction is expected to have committed */
  changed?: (affected: Affected) => void
  now?: () => Date
}

type Handler<D> = (data: D, client: PoolClient, event: EventEnvelope) => Promise<void>

export function createIntakeHandlers (deps: IntakeDeps) {
  const { repo } = deps
  const now = deps.now ?? (() => new Date())

  async function owner (client: PoolClient): Promise<string> {
    const id = await repo.ownerId(client)
    if (id === null) throw new OwnerUnknownError()
    return id
  }

  const toInput = (item: NewItem): SourceInput => ({
    kind: item.kind,
    title: item.title.slice(0, 300),
    ownerUserId: item.ownerUserId,
    assigneeUserId: item.assigneeUserId,
    visibility: item.visibility,
    sourceType: item.source.type,
    sourceId: item.source.id,
    sourceUrl: item.source.url ?? null,
    ...(item.deadline ? { deadline: new Date(item.deadline) } : {}),
    awaitingReply: item.awaitingReply ?? false,
    expectedResponseHours: item.expectedResponseHours ?? null,
    senderEmail: item.senderEmail ?? null,
    senderTier: item.senderTier ?? null,
    senderScore: item.senderScore ?? null,
    revenuePotential: item.revenuePotential ?? 0,
    bodyPreview: item.bodyPreview ?? null,
    taint: item.taint ?? false,
    details: item.details ?? {},
    actor: { type: 'system', id: 'priorities' },
    ...(item.task
      ? { task: { priority: item.task.priority, category: item.task.category, dueAt: item.task.dueAt ? new Date(item.task.dueAt) : null, description: item.task.description ?? null } }
      : {})
  })

  /** Every create goes through createFromSource: same source → nothing; a similar open task → linked; else created. */
  async function create (client: PoolClient, item: NewItem): Promise<string> {
    const result = await deps.items.createFromSource(client, toInput(item))
    if (result.status === 'created') {
      const extra = item.urgencyOverride != null || item.task?.escalate === true
      if (extra) await repo.applyIntakeExtras(client, result.item.id, { urgencyOverride: item.urgencyOverride ?? null, escalateTo: item.task?.escalate === true ? await owner(client) : null })
      deps.changed?.(result.affected)
    }
    return result.item.id
  }

  /** Closes the open item of a source; a task closed this way emits priorities.task.completed.v1. */
  async function close (client: PoolClient, type: string, id: string): Promise<void> {
    for (const itemId of await repo.closeBySource(client, type, id)) await closed(client, itemId)
  }
  async function closed (client: PoolClient, itemId: string): Promise<void> {
    const item = await deps.itemsRepo.findById(itemId, client)
    if (!item) return
    if (item.task) await deps.outbox.add(client, taskEvent('completed', item, { type: 'system', id: 'priorities' }))
    deps.changed?.({ users: [item.ownerUserId, ...(item.assigneeUserId ? [item.assigneeUserId] : [])], company: item.visibility === 'company' })
  }

  const task = (t: Omit<NewItem, 'kind' | 'domain'> & { domain?: NewItem['domain'] }): NewItem =>
    ({ kind: 'task', domain: t.task?.category === 'security' ? 'human' : 'agent', ...t })

  const handlers: { [K in PayloadEventType]?: Handler<never> } = {}
  const on = <D>(type: PayloadEventType, fn: Handler<D>) => { handlers[type] = fn as Handler<never> }

  on<SecretRotationDueV1>('secrets.secret.rotation-due.v1', async (d, client, event) => {
    const assignee = d.assigneeUserId ?? await owner(client)
    await create(client, task({
      title: `Rotate ${d.service}/${d.name}`,
      ownerUserId: assignee,
      assigneeUserId: assignee,
      visibility: event.visibility === 'owner' ? 'owner' : 'private',
      source: { type: 'secrets', id: `${d.secretId}:${d.dueAt}` },
      deadline: d.dueAt,
      task: { priority: dueDatePriority(d.dueAt, now()), category: 'security', dueAt: d.dueAt, description: `Reason: ${d.reason}` }
    }))
  })
  // a new version of the secret is the rotation: its open rotation tasks are done
  on<SecretUpdatedV1>('secrets.secret.updated.v1', async (d, client) => {
    for (const itemId of await repo.closeBySourcePrefix(client, 'secrets', `${d.secretId}:`)) await closed(client, itemId)
  })

  on<ApiKeyExpiringV1>('auth.apikey.expiring.v1', async (d, client) => {
    await create(client, task({
      title: `Renew API key ${d.name}`,
      ownerUserId: d.userId,
      assigneeUserId: d.userId,
      visibility: 'private',
      source: { type: 'auth.apikey', id: d.keyId },
      deadline: d.expiresAt,
      task: { priority: dueDatePriority(d.expiresAt, now()), category: 'security', dueAt: d.expiresAt }
    }))
  })
  on<ApiKeyRevokedV1>('auth.apikey.revoked.v1', async (d, client) => { await close(client, 'auth.apikey', d.keyId) })

  on<PersonalityUpdatedV1>('chat.personality.updated.v1', async (d, client) => {
    // SPEC §4.4: a new gandhi changes this user's scores, so their surface version moves (§4.7)
    if (await repo.upsertFocus(client, d.userId, d.values.gandhi, d.version)) deps.changed?.({ users: [d.userId], company: false })
  })

  on<UserCreatedV1>('auth.user.created.v1', async (d, client) => {
    // version 1: any auth.user.updated.v1 (version ≥ 2) supersedes it, in whichever order they arrive
    await repo.upsertUser(client, { userId: d.userId, role: d.role, status: 'active', version: 1 })
  })
  on<UserUpdatedV1>('auth.user.updated.v1', async (d, client) => {
    const applied = await repo.upsertUser(client, d)
    if (!applied || d.status !== 'disabled') return
    // SPEC §4.8: their tasks go unassigned and the owner is told, through a task of the owner's
    const released = await repo.unassignOpenTasks(client, d.userId)
    if (released > 0) deps.changed?.({ users: [d.userId], company: true })
    const ownerId = await repo.ownerId(client)
    if (released > 0 && ownerId !== null && ownerId !== d.userId) {
      await create(client, task({
        title: `Reassign ${released} task${released === 1 ? '' : 's'} of a disabled user`,
        ownerUserId: ownerId,
        assigneeUserId: ownerId,
        visibility: 'private',
        domain: 'human',
        source: { type: 'auth.user.disabled', id: `${d.userId}:${d.version}` },
        task: { priority: 'medium', category: 'planning', dueAt: null, description: `User ${d.userId} was disabled.` }
      }))
    }
  })

  on<EmailReceivedV1>('integration-sync.email.received.v1', async (d, client) => {
    if (d.bulk) return
    if (await repo.bySource(client, 'gmail', d.emailId)) return
    const ownerId = await owner(client)
    const sender = await repo.sender(client, d.from.email)
    await create(client, {
      kind: 'email',
      title: (d.subject.trim() || '(no subject)').slice(0, 300),
      ownerUserId: ownerId,
      assigneeUserId: ownerId,
      visibility: 'owner',
      domain: sender && (sender.tier === 'founder' || sender.tier === 'c_level') ? 'human' : 'agent',
      source: { type: 'gmail', id: d.emailId },
      deadline: d.deadlineHint,
      awaitingReply: d.awaitingReply,
      expectedResponseHours: sender?.responseHours ?? 48,
      senderEmail: d.from.email.toLowerCase(),
      senderTier: sender?.tier ?? 'unknown',
      senderScore: sender?.score ?? 0,
      revenuePotential: await repo.revenueFor(client, d.from.email),
      bodyPreview: d.bodyPreview,
      taint: true,
      details: { threadId: d.threadId, senderName: d.from.name, receivedAt: d.receivedAt }
    })
  })
  on<EmailUpdatedV1>('integration-sync.email.updated.v1', async (d, client) => {
    if (d.replied || d.archived) await close(client, 'gmail', d.emailId)
  })

  // SPEC §4.8: an agent item "Follow up with …" (Robbie can draft the nudge); one per thread and sent message
  on<EmailAwaitingResponseV1>('integration-sync.email.awaiting-response.v1', async (d, client) => {
    const ownerId = await owner(client)
    await create(client, task({
      title: `Follow up with ${d.to.join(', ')}: ${d.subject.trim() || '(no subject)'}`,
      ownerUserId: ownerId,
      assigneeUserId: ownerId,
      visibility: 'owner',
      domain: 'agent',
      taint: true,
      source: { type: 'gmail.follow-up', id: `${d.threadId}:${d.sentAt}` },
      task: { priority: 'medium', category: 'email', dueAt: null, description: `Sent ${d.sentAt}, no answer since.` }
    }))
  })

  on<CalendarEventUpsertedV1>('integration-sync.calendar.event.upserted.v1', async (d, client) => {
    const existing = await repo.bySource(client, 'calendar', d.eventId)
    // SPEC §0.4: a version older than (or equal to) the one held changes nothing
    if (existing && Number(existing.details.sourceVersion ?? 0) >= d.version) return
    const details = {
      sourceVersion: d.version,
      meetingStart: d.start,
      meetingEnd: d.end,
      attendees: d.attendees.map((a) => ({ email: a.email.toLowerCase(), name: a.name, response: a.response })),
      location: d.location
    }
    const title = (d.summary.trim() || '(no title)').slice(0, 300)
    if (!isMeeting(d, now())) {
      if (existing) {
        await repo.refresh(client, existing.id, { title, deadline: d.start, details })
        await close(client, 'calendar', d.eventId)
      }
      return
    }
    if (existing) {
      await repo.refresh(client, existing.id, { title, deadline: d.start, details })
      deps.changed?.({ users: [await owner(client)], company: false })
      return
    }
    const ownerId = await owner(client)
    await create(client, {
      kind: 'meeting',
      title,
      ownerUserId: ownerId,
      assigneeUserId: ownerId,
      visibility: 'owner',
      domain: 'human',
      source: { type: 'calendar', id: d.eventId },
      deadline: d.start,
      details
    })
  })
  on<CalendarEventDeletedV1>('integration-sync.calendar.event.deleted.v1', async (d, client) => {
    await close(client, 'calendar', d.eventId)
  })
  on<CalendarConflictDetectedV1>('integration-sync.calendar.conflict.detected.v1', async (d, client) => {
    const id = [...d.eventIds].sort().join('|').slice(0, 500)
    if (await repo.bySource(client, 'calendar.conflict', id)) return
    const ownerId = await owner(client)
    await create(client, {
      kind: 'calendar_conflict',
      title: `Calendar conflict: ${d.eventIds.length} events overlap`,
      ownerUserId: ownerId,
      assigneeUserId: ownerId,
      visibility: 'owner',
      domain: 'agent',
      source: { type: 'calendar.conflict', id },
      deadline: d.start,
      details: { eventIds: d.eventIds, start: d.start, end: d.end }
    })
  })

  on<ActionItemFoundV1>('integration-sync.transcript.action-item.found.v1', async (d, client) => {
    await create(client, task({
      title: d.text.replace(/\s+/g, ' ').trim().slice(0, 300),
      ownerUserId: d.assigneeUserId,
      assigneeUserId: d.assigneeUserId,
      visibility: 'private',
      taint: true,
      source: { type: 'fireflies', id: d.actionItemId, url: d.url || null },
      deadline: d.dueAt ?? null,
      task: { priority: actionItemPriority(d.dueAt, now()), category: 'meeting', dueAt: d.dueAt ?? null, description: `From "${d.meetingTitle}" (${d.meetingDate})` }
    }))
  })

  on<IntegrationStatusChangedV1>('integration-sync.integration.status-changed.v1', async (d, client, event) => {
    if (d.to !== 'reauth_required') return
    const ownerId = await owner(client)
    await create(client, task({
      title: `Reconnect ${d.integration}`,
      ownerUserId: ownerId,
      assigneeUserId: ownerId,
      visibility: 'owner',
      domain: 'human',
      // one task per transition; a second transition while the first task is open links to it by title
      source: { type: 'integration-sync.status', id: event.id },
      task: { priority: 'high', category: 'maintenance', dueAt: null, description: d.reason ?? null }
    }))
  })

  on<AlertOpenedV1>('github-bot.alert.opened.v1', async (d, client) => {
    const assignee = d.assigneeUserId ?? await owner(client)
    await create(client, task({
      title: alertTitle(d.kind, d.summary),
      ownerUserId: assignee,
      assigneeUserId: assignee,
      visibility: 'company',
      source: { type: 'github.alert', id: d.alertId, url: d.url },
      deadline: d.slaDueAt,
      urgencyOverride: d.publiclyLeaked ? 100 : null,
      task: { priority: alertPriority(d.kind, d.severity), category: 'security', dueAt: d.slaDueAt, escalate: d.publiclyLeaked }
    }))
  })
  on<AlertResolvedV1>('github-bot.alert.resolved.v1', async (d, client) => { await close(client, 'github.alert', d.alertId) })

  const reviewId = (d: ReviewV1) => `${d.repo}#${d.number}:${d.reviewerUserId}`
  on<ReviewV1>('github-bot.review.requested.v1', async (d, client) => {
    await create(client, task({
      title: `Review PR #${d.number}: ${d.title}`,
      ownerUserId: d.reviewerUserId,
      assigneeUserId: d.reviewerUserId,
      visibility: 'company',
      source: { type: 'github.review', id: reviewId(d), url: d.url },
      task: { priority: 'medium', category: 'development', dueAt: null }
    }))
  })
  on<ReviewV1>('github-bot.review.cleared.v1', async (d, client) => { await close(client, 'github.review', reviewId(d)) })

  const issueId = (d: IssueAssignmentV1) => `${d.repo}#${d.number}:${d.assigneeUserId}`
  on<IssueAssignmentV1>('github-bot.issue.assigned.v1', async (d, client) => {
    await create(client, task({
      title: `Issue #${d.number}: ${d.title}`,
      ownerUserId: d.assigneeUserId,
      assigneeUserId: d.assigneeUserId,
      visibility: 'company',
      source: { type: 'github.issue', id: issueId(d), url: d.url },
      task: { priority: 'medium', category: 'development', dueAt: null }
    }))
  })
  on<IssueAssignmentV1>('github-bot.issue.cleared.v1', async (d, client) => { await close(client, 'github.issue', issueId(d)) })

  return {
    types: Object.keys(handlers) as PayloadEventType[],
    async handle (event: EventEnvelope, client: PoolClient): Promise<void> {
      const type = event.type as PayloadEventType
      const fn = handlers[type]
      if (!fn) return
      const problems = payloadProblems(type, event.data)
      if (problems.length > 0) throw new InvalidEventPayloadError(type, problems)
      await fn(event.data as never, client, event)
    }
  }
}
export type IntakeHandlers = ReturnType<typeof createIntakeHandlers>
