// The item use cases (SPEC §4.1, §4.2, §4.5): intake with dedup (every create path goes through
// createFromSource), task reads and writes, item overrides and moves. Each write's event (and audit row, for
// overrides) commits with it; the surface versions of every affected user are bumped after the commit, so the
// next surface read never serves a cached answer from before the write (SPEC §4.7).
import { uuidv7 } from '@robbie/contracts'
import { withTransaction, type Pool, type PoolClient, type Queryable } from '@robbie/db'
import type { Outbox } from '@robbie/bus'
import type { Audit } from '@robbie/service-kit'
import type { FastifyRequest } from 'fastify'
import { bestDuplicate } from './dedup.js'
import { AssigneeNotFound, Forbidden, ItemNotFound, TaskClosed, VersionConflict } from './items.errors.js'
import { taskEvent, type TaskVerb } from './items.events.js'
import type { DealRef, Domain, ItemRow, ItemsRepository, ListFilter, NewTask, Person, Priority, Quadrant, Viewer, Visibility } from './items.repository.js'

const DEDUP_WINDOW_MS = 30 * 86_400_000

/** The stored dimensions of an item at the default weights (P1's scoreItem, adapted). */
export interface Scored { importance: number, urgency: number, effort: number | null, score: number, quadrant: Quadrant, domain: Domain }
export type ItemScorer = (item: ItemRow, now: Date) => Scored

/** Who must see a change: users whose surfaces include the item, and whether company surfaces do. */
export interface Affected { users: string[], company: boolean }
export interface ChangeNotifier { changed (affected: Affected): Promise<void> }

export interface SourceInput {
  kind: string
  title: string
  ownerUserId: string
  assigneeUserId?: string | null
  visibility: Visibility
  sourceType?: string | null
  sourceId?: string | null
  sourceUrl?: string | null
  /** a person made it by hand (UI, API, command): human (SPEC §4.3); otherwise the scorer decides */
  byHand?: boolean
  revenuePotential?: number
  deadline?: Date | null
  awaitingReply?: boolean
  expectedResponseHours?: number | null
  senderEmail?: string | null
  senderTier?: string | null
  senderScore?: number | null
  isStrategic?: boolean
  tags?: string[]
  riskLevel?: number | null
  approvalRequired?: boolean
  bodyPreview?: string | null
  taint?: boolean
  details?: Record<string, unknown>
  task?: Partial<NewTask>
  actor?: { type: 'user' | 'service' | 'system', id: string }
}
export interface IntakeResult { status: 'created' | 'existing', item: ItemRow, similarity?: number, affected: Affected }

export interface TaskPatch {
  title?: string
  description?: string | null
  priority?: Priority
  category?: string
  dueAt?: Date | null
  assigneeUserId?: string | null
  visibility?: 'private' | 'company'
  associatedPeople?: Person[]
  associatedDeals?: DealRef[]
  tags?: string[]
  status?: 'pending' | 'in_progress' | 'completed' | 'cancelled'
}
export interface ItemPatch {
  importanceOverride?: number | null
  urgencyOverride?: number | null
  pinned?: boolean
  snoozedUntil?: Date | null
  status?: 'dismissed' | 'open'
  domain?: Domain | null
}

export interface ItemsDeps {
  pool: Pool
  repo: ItemsRepository
  outbox: Pick<Outbox, 'add'>
  audit?: Pick<Audit, 'record'>
  score: ItemScorer
  notifier?: ChangeNotifier
  /** SPEC §4.5: assignees are checked with auth; absent = every id is accepted */
  users?: { isActive (userId: string): Promise<boolean> }
  now?: () => Date
}

export const affectedBy = (...items: Array<ItemRow | null | undefined>): Affected => {
  const users = new Set<string>()
  let company = false
  for (const i of items) {
    if (!i) continue
    if (i.visibility === 'company') company = true
    users.add(i.ownerUserId)
    if (i.assigneeUserId) users.add(i.assigneeUserId)
    for (const w of i.task?.watcherUserIds ?? []) users.add(w)
  }
  return { users: [...users], company }
}

/** May the viewer change it? Owner items: the owner; private: creator and assignee; company: owner/admin or creator/assignee. */
export function canWrite (viewer: Viewer, i: ItemRow): boolean {
  const mine = i.ownerUserId === viewer.userId || i.assigneeUserId === viewer.userId
  if (i.visibility === 'owner') return viewer.role === 'owner' && i.ownerUserId === viewer.userId
  if (i.visibility === 'private') return mine
  return mine || viewer.role === 'owner' || viewer.role === 'admin'
}

const isClosed = (i: ItemRow) => i.task !== null && (i.task.status === 'completed' || i.task.status === 'cancelled')

export function createItemsService (deps: ItemsDeps) {
  const now = deps.now ?? (() => new Date())
  const { repo } = deps

  async function notify (affected: Affected) {
    await deps.notifier?.changed(affected).catch(() => {})
  }

  /** Recomputes the stored dimensions (default weights) after a change, without another version bump. */
  async function rescore (id: string, client: Queryable): Promise<ItemRow> {
    const item = (await repo.findById(id, client))!
    const s = deps.score(item, now())
    await client.query('UPDATE items SET importance = $2, urgency = $3, effort = $4, score = $5, quadrant = $6, domain = $7 WHERE id = $1',
      [id, s.importance, s.urgency, s.effort, s.score, s.quadrant, s.domain])
    return { ...item, ...s }
  }

  async function intake (client: PoolClient | Queryable, input: SourceInput): Promise<IntakeResult> {
    const at = now()
    const sourceType = input.sourceType ?? null
    const sourceId = input.sourceId ?? null
    // concurrent intakes of one source or one owner's tasks are serialised, so fifty replays create one item
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`priorities:intake:${input.ownerUserId}`])
    if (sourceType && sourceId) {
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`priorities:source:${sourceType}:${sourceId}`])
      const linked = await repo.findBySource(sourceType, sourceId, client)
      if (linked) return { status: 'existing', item: linked, similarity: 1, affected: { users: [], company: false } }
    }
    if (input.kind === 'task') {
      const candidates = await repo.openTasksOf(input.ownerUserId, new Date(at.getTime() - DEDUP_WINDOW_MS), client)
      const dup = bestDuplicate(input.title, candidates)
      if (dup) {
        if (sourceType && sourceId) await repo.linkSource(dup.match.id, sourceType, sourceId, input.sourceUrl ?? null, at, client)
        return { status: 'existing', item: dup.match, similarity: dup.similarity, affected: { users: [], company: false } }
      }
    }
    const id = uuidv7()
    const task: NewTask | null = input.kind === 'task'
      ? {
          description: input.task?.description ?? null,
          priority: input.task?.priority ?? 'medium',
          category: input.task?.category ?? 'general',
          dueAt: input.task?.dueAt ?? null,
          associatedPeople: input.task?.associatedPeople ?? [],
          associatedDeals: input.task?.associatedDeals ?? [],
          requesterUserId: input.task?.requesterUserId ?? null
        }
      : null
    await repo.insert({
      id,
      kind: input.kind,
      title: input.title,
      ownerUserId: input.ownerUserId,
      assigneeUserId: input.assigneeUserId ?? null,
      visibility: input.visibility,
      domain: input.byHand ? 'human' : 'agent',
      sourceType,
      sourceId,
      sourceUrl: input.sourceUrl ?? null,
      revenuePotential: input.revenuePotential ?? 0,
      deadline: input.deadline ?? task?.dueAt ?? null,
      awaitingReply: input.awaitingReply ?? false,
      expectedResponseHours: input.expectedResponseHours ?? null,
      senderEmail: input.senderEmail ?? null,
      senderTier: input.senderTier ?? null,
      senderScore: input.senderScore ?? null,
      isStrategic: input.isStrategic ?? false,
      tags: input.tags ?? [],
      riskLevel: input.riskLevel ?? null,
      approvalRequired: input.approvalRequired ?? false,
      bodyPreview: input.bodyPreview ?? null,
      importance: 0,
      urgency: 0,
      effort: null,
      score: 0,
      quadrant: 'Q4',
      taint: input.taint ?? false,
      details: { ...input.details, ...(input.byHand ? { byHand: true } : {}) },
      at
    }, task, client)
    if (sourceType && sourceId) await repo.linkSource(id, sourceType, sourceId, input.sourceUrl ?? null, at, client)
    const item = await rescore(id, client)
    if (item.kind === 'task') await deps.outbox.add(client as PoolClient, taskEvent('created', item, input.actor))
    return { status: 'created', item, affected: affectedBy(item) }
  }

  async function checkAssignee (assigneeUserId: string | null | undefined) {
    if (!assigneeUserId || !deps.users) return
    if (!(await deps.users.isActive(assigneeUserId))) throw new AssigneeNotFound(assigneeUserId)
  }

  /** Loads an item the viewer may see (else 404) and may change (else 403), locked for the transaction. */
  async function writable (viewer: Viewer, id: string, client: Queryable, opts: { task?: boolean, ifMatch?: number } = {}) {
    const item = await repo.findVisible(viewer, id, client, true)
    if (!item || (opts.task && item.kind !== 'task')) throw new ItemNotFound(id)
    if (!canWrite(viewer, item)) throw new Forbidden()
    if (opts.ifMatch !== undefined && opts.ifMatch !== item.version) throw new VersionConflict(item.version, opts.ifMatch)
    return item
  }

  /** One task write: change, rescore, event; then bump the surfaces of everyone before and after. */
  async function taskWrite (viewer: Viewer, id: string, verb: TaskVerb, change: (item: ItemRow, client: PoolClient) => Promise<void>, ifMatch?: number) {
    const { before, after } = await withTransaction(deps.pool, async (client) => {
      const before = await writable(viewer, id, client, { task: true, ifMatch })
      await change(before, client)
      const after = await rescore(id, client)
      await deps.outbox.add(client, taskEvent(verb, after, { type: 'user', id: viewer.userId }))
      return { before, after }
    })
    await notify(affectedBy(before, after))
    return after
  }

  return {
    /**
     * Every create path (API, event consumers): the same source → that item; an open task of the same owner
     * with a title Jaccard > 0.7 → the new source linked to it; else a new item. With `client` the caller owns
     * the transaction and must call `changed(result.affected)` after its commit.
     */
    async createFromSource (client: Queryable | undefined, input: SourceInput): Promise<IntakeResult> {
      if (client) return await intake(client, input)
      const result = await withTransaction(deps.pool, async (c) => await intake(c, input))
      await notify(result.affected)
      return result
    },
    changed: notify,

    async createTask (viewer: Viewer, body: { title: string, description?: string, priority?: Priority, category?: string, dueAt?: Date, assigneeUserId?: string, visibility?: 'private' | 'company', associatedPeople?: Person[], associatedDeals?: DealRef[], tags?: string[], sourceType?: string, sourceId?: string, sourceUrl?: string }) {
      await checkAssignee(body.assigneeUserId)
      return await this.createFromSource(undefined, {
        kind: 'task',
        title: body.title,
        ownerUserId: viewer.userId,
        assigneeUserId: body.assigneeUserId ?? viewer.userId,
        visibility: body.visibility ?? 'private',
        sourceType: body.sourceType ?? null,
        sourceId: body.sourceId ?? null,
        sourceUrl: body.sourceUrl ?? null,
        byHand: true,
        tags: body.tags ?? [],
        task: {
          description: body.description ?? null,
          priority: body.priority ?? 'medium',
          category: body.category ?? 'general',
          dueAt: body.dueAt ?? null,
          associatedPeople: body.associatedPeople ?? [],
          associatedDeals: body.associatedDeals ?? [],
          requesterUserId: viewer.userId
        },
        actor: { type: 'user', id: viewer.userId }
      })
    },

    async get (viewer: Viewer, id: string, opts: { task?: boolean } = {}) {
      const item = await repo.findVisible(viewer, id)
      if (!item || (opts.task && item.kind !== 'task')) throw new ItemNotFound(id)
      return item
    },
    async sources (itemId: string) { return await repo.sources(itemId) },

    async listTasks (viewer: Viewer, filter: ListFilter) {
      const rows = await repo.listTasks(viewer, filter)
      const more = rows.length > filter.limit
      const items = more ? rows.slice(0, filter.limit) : rows
      return { items, nextCursor: more ? items[items.length - 1]!.id : null }
    },

    async updateTask (viewer: Viewer, id: string, patch: TaskPatch, ifMatch?: number) {
      if (patch.assigneeUserId !== undefined) await checkAssignee(patch.assigneeUserId)
      const verb: TaskVerb = patch.status === 'completed' ? 'completed' : patch.status === 'cancelled' ? 'deleted' : 'updated'
      return await taskWrite(viewer, id, verb, async (item, client) => {
        const at = now()
        const status = patch.status
        await repo.update(id, {
          title: patch.title,
          assigneeUserId: patch.assigneeUserId,
          visibility: item.visibility === 'owner' ? undefined : patch.visibility,
          tags: patch.tags,
          deadline: patch.dueAt,
          status: status === undefined ? undefined : (status === 'completed' || status === 'cancelled' ? 'done' : 'open')
        }, {
          description: patch.description,
          priority: patch.priority,
          category: patch.category,
          dueAt: patch.dueAt,
          associatedPeople: patch.associatedPeople,
          associatedDeals: patch.associatedDeals,
          status,
          completedAt: status === undefined ? undefined : (status === 'completed' ? at : null)
        }, at, client)
      }, ifMatch)
    },

    async complete (viewer: Viewer, id: string) {
      return await taskWrite(viewer, id, 'completed', async (item, client) => {
        if (isClosed(item)) throw new TaskClosed(item.task!.status)
        const at = now()
        await repo.update(id, { status: 'done' }, { status: 'completed', completedAt: at }, at, client)
      })
    },
    async reopen (viewer: Viewer, id: string) {
      return await taskWrite(viewer, id, 'updated', async (item, client) => {
        if (!isClosed(item)) throw new TaskClosed(`${item.task!.status}, not closed`)
        await repo.update(id, { status: 'open', snoozedUntil: null }, { status: 'pending', completedAt: null }, now(), client)
      })
    },
    async acknowledge (viewer: Viewer, id: string) {
      return await taskWrite(viewer, id, 'updated', async (item, client) => {
        if (isClosed(item)) throw new TaskClosed(item.task!.status)
        await repo.update(id, {}, { acknowledgedAt: now() }, now(), client)
      })
    },
    async snooze (viewer: Viewer, id: string, until: Date) {
      return await taskWrite(viewer, id, 'updated', async (item, client) => {
        if (isClosed(item)) throw new TaskClosed(item.task!.status)
        await repo.update(id, { status: 'snoozed', snoozedUntil: until }, {}, now(), client)
      })
    },
    /** DELETE = cancel (soft, SPEC §4.5). */
    async remove (viewer: Viewer, id: string, ifMatch?: number) {
      return await taskWrite(viewer, id, 'deleted', async (item, client) => {
        if (item.task!.status === 'cancelled') throw new TaskClosed('cancelled')
        await repo.update(id, { status: 'done' }, { status: 'cancelled' }, now(), client)
      }, ifMatch)
    },

    /** PATCH /items/:id: overrides, pin, snooze, dismiss/restore, domain (owner/admin only for the domain). */
    async patchItem (viewer: Viewer, id: string, patch: ItemPatch, request?: FastifyRequest) {
      const { before, after } = await withTransaction(deps.pool, async (client) => {
        const before = await writable(viewer, id, client)
        if (patch.domain !== undefined && viewer.role === 'member') throw new Forbidden()
        const status = patch.status ?? (patch.snoozedUntil ? 'snoozed' : patch.snoozedUntil === null && before.status === 'snoozed' ? 'open' : undefined)
        await repo.update(id, {
          importanceOverride: patch.importanceOverride,
          urgencyOverride: patch.urgencyOverride,
          pinned: patch.pinned,
          snoozedUntil: patch.snoozedUntil,
          status,
          domainOverride: patch.domain
        }, {}, now(), client)
        const after = await rescore(id, client)
        if ((patch.importanceOverride !== undefined || patch.urgencyOverride !== undefined || patch.domain !== undefined) && deps.audit) {
          await deps.audit.record(client, {
            action: 'priorities.item.override',
            outcome: 'success',
            resourceType: 'item',
            resourceId: id,
            details: { importanceOverride: patch.importanceOverride, urgencyOverride: patch.urgencyOverride, domain: patch.domain }
          }, request)
        }
        if (after.kind === 'task') await deps.outbox.add(client, taskEvent('updated', after, { type: 'user', id: viewer.userId }))
        return { before, after }
      })
      await notify(affectedBy(before, after))
      return after
    },

    /**
     * Drag to a quadrant (SPEC §4.2): only the dimensions that must change get an override: into an important
     * quadrant importance_override = max(I, 50), out of one min(I, 49); the same for urgency. Audited, with a
     * feedback row.
     */
    async move (viewer: Viewer, id: string, to: Quadrant, request?: FastifyRequest) {
      const { before, after } = await withTransaction(deps.pool, async (client) => {
        const before = await writable(viewer, id, client)
        const current = deps.score(before, now())
        const wantImportant = to === 'Q1' || to === 'Q2'
        const wantUrgent = to === 'Q1' || to === 'Q3'
        const I = current.importance
        const U = current.urgency
        const importanceOverride = wantImportant === (I >= 50) ? undefined : (wantImportant ? Math.max(I, 50) : Math.min(I, 49))
        const urgencyOverride = wantUrgent === (U >= 50) ? undefined : (wantUrgent ? Math.max(U, 50) : Math.min(U, 49))
        await repo.update(id, { importanceOverride, urgencyOverride }, {}, now(), client)
        await repo.addFeedback({ id: uuidv7(), itemId: id, from: current.quadrant, to, userId: viewer.userId, at: now() }, client)
        const after = await rescore(id, client)
        if (deps.audit) {
          await deps.audit.record(client, {
            action: 'priorities.item.move',
            outcome: 'success',
            resourceType: 'item',
            resourceId: id,
            details: { from: current.quadrant, to, importanceOverride: importanceOverride ?? null, urgencyOverride: urgencyOverride ?? null }
          }, request)
        }
        if (after.kind === 'task') await deps.outbox.add(client, taskEvent('updated', after, { type: 'user', id: viewer.userId }))
        return { before, after }
      })
      await notify(affectedBy(before, after))
      return after
    }
  }
}
export type ItemsService = ReturnType<typeof createItemsService>

/** The reader of a request: the signed-in user (a delegated token reads as its user, SPEC §1.2). */
export function viewerOf (identity: { id: string, role?: 'owner' | 'admin' | 'member' } | null | undefined): Viewer {
  if (!identity?.role) throw new Forbidden()
  return { userId: identity.id, role: identity.role }
}
