// SQL of items, task_details and item_sources (SPEC §4.1). Visibility is decided here, in SQL (SPEC §1):
// `owner` items only for the owner, `private` items only for their creator, assignee and watchers, `company`
// items for every signed-in user. Every method takes an optional client, passed inside transactions.
import type { Queryable } from '@robbie/db'

export type Visibility = 'owner' | 'private' | 'company'
export type Domain = 'human' | 'agent' | 'self'
export type Quadrant = 'Q1' | 'Q2' | 'Q3' | 'Q4'
export type ItemStatus = 'open' | 'snoozed' | 'done' | 'dismissed' | 'archived' | 'suggested'
export type TaskStatus = 'pending' | 'in_progress' | 'completed' | 'cancelled'
export type Priority = 'low' | 'medium' | 'high' | 'critical'
export interface Person { email: string, name?: string }
export interface DealRef { id: string, name?: string, amount?: number }

/** Who is reading: a user id and role (a service acting for a user reads as that user). */
export interface Viewer { userId: string, role: 'owner' | 'admin' | 'member' }

export interface TaskDetails {
  number: number
  description: string | null
  status: TaskStatus
  priority: Priority
  category: string
  dueAt: Date | null
  acknowledgedAt: Date | null
  escalatedAt: Date | null
  watcherUserIds: string[]
  associatedPeople: Person[]
  associatedDeals: DealRef[]
  requesterUserId: string | null
  completedAt: Date | null
}

export interface ItemRow {
  id: string
  kind: string
  title: string
  ownerUserId: string
  assigneeUserId: string | null
  visibility: Visibility
  domain: Domain
  domainOverride: Domain | null
  status: ItemStatus
  snoozedUntil: Date | null
  sourceType: string | null
  sourceId: string | null
  sourceUrl: string | null
  revenuePotential: number
  deadline: Date | null
  awaitingReply: boolean
  expectedResponseHours: number | null
  senderEmail: string | null
  senderTier: string | null
  senderScore: number | null
  isStrategic: boolean
  tags: string[]
  riskLevel: number | null
  approvalRequired: boolean
  bodyPreview: string | null
  importance: number
  urgency: number
  effort: number | null
  score: number
  quadrant: Quadrant
  importanceOverride: number | null
  urgencyOverride: number | null
  pinned: boolean
  taint: boolean
  details: Record<string, unknown>
  lastActivityAt: Date
  createdAt: Date
  updatedAt: Date
  version: number
  task: TaskDetails | null
}

export interface SourceRow { sourceType: string, sourceId: string, url: string | null, addedAt: Date }

/** The item columns (with its task details) every reader of items selects, mapped by toItem. */
export const ITEM_COLUMNS = `i.id, i.kind, i.title, i.owner_user_id, i.assignee_user_id, i.visibility, i.domain, i.domain_override, i.status,
  i.snoozed_until, i.source_type, i.source_id, i.source_url, i.revenue_potential, i.deadline, i.awaiting_reply,
  i.expected_response_hours, i.sender_email, i.sender_tier, i.sender_score, i.is_strategic, i.tags, i.risk_level,
  i.approval_required, i.body_preview, i.importance, i.urgency, i.effort, i.score, i.quadrant, i.importance_override,
  i.urgency_override, i.pinned, i.taint, i.details, i.last_activity_at, i.created_at, i.updated_at, i.version,
  t.number, t.description, t.status AS task_status, t.priority, t.category, t.due_at, t.acknowledged_at, t.escalated_at,
  t.watcher_user_ids, t.associated_people, t.associated_deals, t.requester_user_id, t.completed_at, (t.item_id IS NOT NULL) AS is_task`
export const ITEM_FROM = 'items i LEFT JOIN task_details t ON t.item_id = i.id'
const COLUMNS = ITEM_COLUMNS
const FROM = ITEM_FROM

type Row = Record<string, unknown>
const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v))
export const toItem = (r: Row): ItemRow => ({
  id: r.id as string,
  kind: r.kind as string,
  title: r.title as string,
  ownerUserId: r.owner_user_id as string,
  assigneeUserId: r.assignee_user_id as string | null,
  visibility: r.visibility as Visibility,
  domain: r.domain as Domain,
  domainOverride: r.domain_override as Domain | null,
  status: r.status as ItemStatus,
  snoozedUntil: r.snoozed_until as Date | null,
  sourceType: r.source_type as string | null,
  sourceId: r.source_id as string | null,
  sourceUrl: r.source_url as string | null,
  revenuePotential: Number(r.revenue_potential),
  deadline: r.deadline as Date | null,
  awaitingReply: r.awaiting_reply as boolean,
  expectedResponseHours: r.expected_response_hours as number | null,
  senderEmail: r.sender_email as string | null,
  senderTier: r.sender_tier as string | null,
  senderScore: r.sender_score as number | null,
  isStrategic: r.is_strategic as boolean,
  tags: r.tags as string[],
  riskLevel: r.risk_level as number | null,
  approvalRequired: r.approval_required as boolean,
  bodyPreview: r.body_preview as string | null,
  importance: Number(r.importance),
  urgency: Number(r.urgency),
  effort: num(r.effort),
  score: Number(r.score),
  quadrant: r.quadrant as Quadrant,
  importanceOverride: num(r.importance_override),
  urgencyOverride: num(r.urgency_override),
  pinned: r.pinned as boolean,
  taint: r.taint as boolean,
  details: r.details as Record<string, unknown>,
  lastActivityAt: r.last_activity_at as Date,
  createdAt: r.created_at as Date,
  updatedAt: r.updated_at as Date,
  version: r.version as number,
  task: r.is_task
    ? {
        number: Number(r.number),
        description: r.description as string | null,
        status: r.task_status as TaskStatus,
        priority: r.priority as Priority,
        category: r.category as string,
        dueAt: r.due_at as Date | null,
        acknowledgedAt: r.acknowledged_at as Date | null,
        escalatedAt: r.escalated_at as Date | null,
        watcherUserIds: r.watcher_user_ids as string[],
        associatedPeople: r.associated_people as Person[],
        associatedDeals: r.associated_deals as DealRef[],
        requesterUserId: r.requester_user_id as string | null,
        completedAt: r.completed_at as Date | null
      }
    : null
})

/**
 * The visibility predicate (SPEC §1), with the viewer's id at $1 and role at $2. Owner items: only the owner
 * (role and ownership both); private items: creator, assignee, watchers; company items: everyone signed in.
 */
export const VISIBLE = `(i.visibility = 'company'
  OR (i.visibility = 'owner' AND $2::text = 'owner' AND i.owner_user_id = $1::uuid)
  OR (i.visibility = 'private' AND (i.owner_user_id = $1::uuid OR i.assignee_user_id = $1::uuid
      OR $1::uuid = ANY (COALESCE(t.watcher_user_ids, '{}'::uuid[])))))`

/** What an insert supplies: the stored columns of an item, less those the database or later writes own. */
export type NewItem = Pick<ItemRow, 'id' | 'kind' | 'title' | 'ownerUserId' | 'assigneeUserId' | 'visibility' | 'domain'
| 'sourceType' | 'sourceId' | 'sourceUrl' | 'revenuePotential' | 'deadline' | 'awaitingReply' | 'expectedResponseHours'
| 'senderEmail' | 'senderTier' | 'senderScore' | 'isStrategic' | 'tags' | 'riskLevel' | 'approvalRequired' | 'bodyPreview'
| 'importance' | 'urgency' | 'effort' | 'score' | 'quadrant' | 'taint' | 'details'> & { at: Date }
export interface NewTask {
  description: string | null
  priority: Priority
  category: string
  dueAt: Date | null
  associatedPeople: Person[]
  associatedDeals: DealRef[]
  requesterUserId: string | null
}

/** Columns a PATCH may set on items (camelCase → column). */
const ITEM_SET: Record<string, string> = {
  title: 'title',
  assigneeUserId: 'assignee_user_id',
  visibility: 'visibility',
  domainOverride: 'domain_override',
  domain: 'domain',
  status: 'status',
  snoozedUntil: 'snoozed_until',
  pinned: 'pinned',
  importanceOverride: 'importance_override',
  urgencyOverride: 'urgency_override',
  deadline: 'deadline',
  tags: 'tags',
  revenuePotential: 'revenue_potential',
  isStrategic: 'is_strategic',
  importance: 'importance',
  urgency: 'urgency',
  effort: 'effort',
  score: 'score',
  quadrant: 'quadrant',
  details: 'details'
}
const TASK_SET: Record<string, string> = {
  description: 'description',
  status: 'status',
  priority: 'priority',
  category: 'category',
  dueAt: 'due_at',
  associatedPeople: 'associated_people',
  associatedDeals: 'associated_deals',
  acknowledgedAt: 'acknowledged_at',
  completedAt: 'completed_at',
  watcherUserIds: 'watcher_user_ids'
}
const JSON_COLUMNS = new Set(['associated_people', 'associated_deals', 'details'])

export interface ListFilter {
  status?: TaskStatus
  category?: string
  assignee?: string
  q?: string
  dueBefore?: Date
  limit: number
  after?: string
}

export function createItemsRepository (pool: Queryable) {
  const q = (client?: Queryable) => client ?? pool
  return {
    async findById (id: string, client?: Queryable, lock = false): Promise<ItemRow | null> {
      const { rows } = await q(client).query(`SELECT ${COLUMNS} FROM ${FROM} WHERE i.id = $1 ${lock ? 'FOR UPDATE OF i' : ''}`, [id])
      return rows[0] ? toItem(rows[0]) : null
    },
    async findVisible (viewer: Viewer, id: string, client?: Queryable, lock = false): Promise<ItemRow | null> {
      const { rows } = await q(client).query(`SELECT ${COLUMNS} FROM ${FROM} WHERE ${VISIBLE} AND i.id = $3 ${lock ? 'FOR UPDATE OF i' : ''}`,
        [viewer.userId, viewer.role, id])
      return rows[0] ? toItem(rows[0]) : null
    },
    /** Every open item the viewer may read (the surface computes scores from these at read time). */
    async listOpenVisible (viewer: Viewer, now: Date, client?: Queryable): Promise<ItemRow[]> {
      const { rows } = await q(client).query(`SELECT ${COLUMNS} FROM ${FROM} WHERE ${VISIBLE}
        AND (i.status = 'open' OR (i.status = 'snoozed' AND i.snoozed_until IS NOT NULL AND i.snoozed_until <= $3))`,
      [viewer.userId, viewer.role, now])
      return rows.map(toItem)
    },
    async listTasks (viewer: Viewer, f: ListFilter, client?: Queryable): Promise<ItemRow[]> {
      const args: unknown[] = [viewer.userId, viewer.role]
      const where = [VISIBLE, "i.kind = 'task'"]
      const add = (sql: (n: string) => string, v: unknown) => { args.push(v); where.push(sql(`$${args.length}`)) }
      if (f.status) add((n) => `t.status = ${n}`, f.status)
      if (f.category) add((n) => `t.category = ${n}`, f.category)
      if (f.assignee) add((n) => `i.assignee_user_id = ${n}::uuid`, f.assignee)
      if (f.q) add((n) => `i.title ILIKE '%' || ${n} || '%'`, f.q.replace(/[\\%_]/g, (c) => `\\${c}`))
      if (f.dueBefore) add((n) => `t.due_at < ${n}`, f.dueBefore)
      if (f.after) add((n) => `i.id < ${n}::uuid`, f.after)
      args.push(f.limit + 1)
      const { rows } = await q(client).query(`SELECT ${COLUMNS} FROM ${FROM} WHERE ${where.join(' AND ')} ORDER BY i.id DESC LIMIT $${args.length}`, args)
      return rows.map(toItem)
    },
    /** The same owner's open tasks of the last 30 days: the dedup candidates (SPEC §4.5). */
    async openTasksOf (ownerUserId: string, since: Date, client?: Queryable): Promise<ItemRow[]> {
      const { rows } = await q(client).query(`SELECT ${COLUMNS} FROM ${FROM}
        WHERE i.owner_user_id = $1 AND i.kind = 'task' AND i.status IN ('open', 'snoozed') AND t.status IN ('pending', 'in_progress')
          AND i.created_at >= $2 ORDER BY i.created_at DESC`, [ownerUserId, since])
      return rows.map(toItem)
    },
    async findBySource (sourceType: string, sourceId: string, client?: Queryable): Promise<ItemRow | null> {
      const { rows } = await q(client).query(`SELECT ${COLUMNS} FROM ${FROM} JOIN item_sources s ON s.item_id = i.id
        WHERE s.source_type = $1 AND s.source_id = $2`, [sourceType, sourceId])
      return rows[0] ? toItem(rows[0]) : null
    },
    async sources (itemId: string, client?: Queryable): Promise<SourceRow[]> {
      const { rows } = await q(client).query('SELECT source_type, source_id, url, added_at FROM item_sources WHERE item_id = $1 ORDER BY added_at, source_type, source_id', [itemId])
      return rows.map((r: Row) => ({ sourceType: r.source_type as string, sourceId: r.source_id as string, url: r.url as string | null, addedAt: r.added_at as Date }))
    },
    /** True when linked; false when another item already holds that source. */
    async linkSource (itemId: string, sourceType: string, sourceId: string, url: string | null, at: Date, client?: Queryable): Promise<boolean> {
      const { rowCount } = await q(client).query(`INSERT INTO item_sources (item_id, source_type, source_id, url, added_at) VALUES ($1, $2, $3, $4, $5)
        ON CONFLICT (source_type, source_id) DO NOTHING`, [itemId, sourceType, sourceId, url, at])
      return rowCount === 1
    },
    async insert (item: NewItem, task: NewTask | null, client?: Queryable): Promise<void> {
      await q(client).query(`INSERT INTO items (id, kind, title, owner_user_id, assignee_user_id, visibility, domain, status, source_type,
        source_id, source_url, revenue_potential, deadline, awaiting_reply, expected_response_hours, sender_email, sender_tier,
        sender_score, is_strategic, tags, risk_level, approval_required, body_preview, importance, urgency, effort, score, quadrant,
        taint, details, last_activity_at, created_at, updated_at, version)
        VALUES ($1, $2, $3, $4, $5, $6, $7, 'open', $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24,
          $25, $26, $27, $28, $29, $30, $30, $30, 1)`,
      [item.id, item.kind, item.title, item.ownerUserId, item.assigneeUserId, item.visibility, item.domain, item.sourceType,
        item.sourceId, item.sourceUrl, item.revenuePotential, item.deadline, item.awaitingReply, item.expectedResponseHours,
        item.senderEmail, item.senderTier, item.senderScore, item.isStrategic, item.tags, item.riskLevel, item.approvalRequired,
        item.bodyPreview, item.importance, item.urgency, item.effort, item.score, item.quadrant, item.taint, JSON.stringify(item.details), item.at])
      if (task) {
        await q(client).query(`INSERT INTO task_details (item_id, description, priority, category, due_at, associated_people,
          associated_deals, requester_user_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [item.id, task.description, task.priority, task.category, task.dueAt, JSON.stringify(task.associatedPeople),
          JSON.stringify(task.associatedDeals), task.requesterUserId])
      }
    },
    /** Applies the given fields, bumps `version`, `updated_at` and `last_activity_at`; returns the new version. */
    async update (id: string, item: Record<string, unknown>, task: Record<string, unknown>, at: Date, client?: Queryable): Promise<number> {
      const set = (map: Record<string, string>, fields: Record<string, unknown>, args: unknown[]) => Object.entries(fields)
        .filter(([k, v]) => map[k] !== undefined && v !== undefined)
        .map(([k, v]) => { const col = map[k]!; args.push(JSON_COLUMNS.has(col) ? JSON.stringify(v) : v); return `${col} = $${args.length}` })
      const taskArgs: unknown[] = [id]
      const taskSet = set(TASK_SET, task, taskArgs)
      if (taskSet.length > 0) await q(client).query(`UPDATE task_details SET ${taskSet.join(', ')} WHERE item_id = $1`, taskArgs)
      const args: unknown[] = [id, at]
      const itemSet = set(ITEM_SET, item, args)
      const { rows } = await q(client).query(`UPDATE items SET ${[...itemSet, 'version = version + 1', 'updated_at = $2', 'last_activity_at = $2'].join(', ')}
        WHERE id = $1 RETURNING version`, args)
      return rows[0]?.version as number
    },
    async addFeedback (f: { id: string, itemId: string, from: Quadrant, to: Quadrant, userId: string, at: Date }, client?: Queryable): Promise<void> {
      await q(client).query('INSERT INTO item_feedback (id, item_id, from_quadrant, to_quadrant, user_id, at) VALUES ($1, $2, $3, $4, $5, $6)',
        [f.id, f.itemId, f.from, f.to, f.userId, f.at])
    }
  }
}
export type ItemsRepository = ReturnType<typeof createItemsRepository>
