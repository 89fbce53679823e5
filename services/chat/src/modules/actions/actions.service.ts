// Actions (SPEC §3.7): a tool call filed for approval, or a write that ran and can be undone. Every decision is a
// guarded state change in one transaction with its audit row and event; the effect itself (an HTTP call) runs after
// the commit, with the action id as its idempotency key, so approving twice or retrying runs it once.
import { uuidv7, type Identity } from '@robbie/contracts'
import { withTransaction, type Pool } from '@robbie/db'
import type { Hints, Outbox } from '@robbie/bus'
import { genericError, RobbieError, type Audit } from '@robbie/service-kit'
import type { FastifyBaseLogger, FastifyRequest } from 'fastify'
import type { ExecContext, Executed, Executors } from '../tools/executors.js'
import { checkArgs } from '../tools/validate.js'
import type { Origin, ToolClass, ToolName } from '../tools/tools.specs.js'
import { ActionNotFound, ActionNotPending, NotYourAction, TooLateToUndo } from './actions.errors.js'
import { actionDecided, actionExecuted, actionProposed, type Decision } from './actions.events.js'
import type { ActionChange, ActionRow, ActionStatus, ActionsRepository } from './actions.repository.js'

const PROPOSAL_TTL_MS = 7 * 24 * 3600 * 1000

interface NewAction {
  tool: ToolName
  class: ToolClass
  args: Record<string, unknown>
  origin: Origin
  requesterId: string
  conversationId?: string | null
  messageId?: string | null
  confidence: number
  taint: boolean
  result?: Record<string, unknown> | null
}

interface ActionsDeps {
  pool: Pool
  repo: ActionsRepository
  outbox: Pick<Outbox, 'add'>
  audit: Pick<Audit, 'record'>
  executors: Pick<Executors, 'run' | 'undo' | 'canUndo'>
  /** a delegated token for the requester, for running an approved action outside a turn */
  tokenFor: (userId: string) => Promise<string>
  hints?: Pick<Hints, 'live'>
  clock: () => Date
  log: FastifyBaseLogger
}

/** What a failure leaves in `actions.error`: the callee's code and message, never a stack or a body. */
const errorText = (err: unknown) => (err instanceof RobbieError ? `${err.code}: ${err.message}` : 'CHAT_INTERNAL: the action failed unexpectedly').slice(0, 1000)

export function createActionsService (deps: ActionsDeps) {
  const { repo, clock } = deps
  const push = (a: ActionRow) => {
    void deps.hints?.live({ userIds: [a.requesterId], topic: 'actions', event: 'changed', data: { actionId: a.id, status: a.status } }).catch(() => 0)
  }
  const auditEntry = (a: ActionRow, verb: string, identity: Identity, request: FastifyRequest | undefined, details: Record<string, unknown> = {}) => ({
    action: `chat.action.${verb}`,
    outcome: 'success' as const,
    resourceType: 'action',
    resourceId: a.id,
    details: { tool: a.tool, ...details },
    ...(request ? {} : { actor: { type: 'user' as const, id: identity.id } })
  })

  /** The caller's own action, locked: someone else's is 403 (SPEC §3.7), a missing one 404. */
  async function own (identity: Identity, id: string, client: Parameters<ActionsRepository['find']>[1]) {
    const row = await repo.find(id, client, true)
    if (!row) throw new ActionNotFound(id)
    if (row.requesterId !== identity.id) throw new NotYourAction()
    return row
  }

  const fresh = (a: NewAction, status: ActionStatus, now: Date): ActionRow => {
    const id = uuidv7(now.getTime())
    return {
      id,
      tool: a.tool,
      class: a.class,
      args: a.args,
      origin: a.origin,
      requesterId: a.requesterId,
      conversationId: a.conversationId ?? null,
      messageId: a.messageId ?? null,
      confidence: a.confidence,
      taint: a.taint,
      status,
      decidedBy: null,
      decidedAt: null,
      executeAfter: null,
      targetService: null,
      targetRef: null,
      idempotencyKey: id,
      result: a.result ?? null,
      error: null,
      undo: null,
      traceId: null,
      createdAt: now,
      updatedAt: now,
      expiresAt: status === 'proposed' ? new Date(now.getTime() + PROPOSAL_TTL_MS) : null
    }
  }

  /** Runs the action's effect and records the outcome (done or failed) with its event. */
  async function execute (row: ActionRow, ctx: Omit<ExecContext, 'idempotencyKey'>): Promise<ActionRow> {
    let change: ActionChange
    try {
      const out: Executed = await deps.executors.run(row.tool, { ...ctx, idempotencyKey: row.idempotencyKey }, row.args)
      change = { status: 'done', result: out.result, targetService: out.targetService ?? null, targetRef: out.targetRef ?? null, undo: out.undo ?? null }
    } catch (err) {
      if (!(err instanceof RobbieError)) deps.log.error({ err, actionId: row.id, tool: row.tool }, 'action failed unexpectedly')
      change = { status: 'failed', error: errorText(err), result: err instanceof RobbieError ? { error: { code: err.code, message: err.message } } : null }
    }
    const done = await withTransaction(deps.pool, async (client) => {
      const updated = await repo.update(row.id, change, clock(), client)
      await deps.outbox.add(client, actionExecuted(updated, updated.status === 'done' ? 'done' : 'failed'))
      return updated
    })
    push(done)
    return done
  }

  async function decide (identity: Identity, id: string, decision: Decision, request: FastifyRequest | undefined,
    change: (row: ActionRow) => ActionChange, details: (row: ActionRow) => Record<string, unknown> = () => ({})) {
    const row = await withTransaction(deps.pool, async (client) => {
      const before = await own(identity, id, client)
      if (before.status !== 'proposed') throw new ActionNotPending(before.status)
      if (before.expiresAt && before.expiresAt <= clock()) throw new ActionNotPending('expired')
      const after = await repo.update(id, { ...change(before), decidedBy: identity.id, decidedAt: clock() }, clock(), client)
      await deps.audit.record(client, auditEntry(after, decision === 'approved' ? 'approve' : 'reject', identity, request, details(before)), request)
      await deps.outbox.add(client, actionDecided(after, decision, identity.id))
      return after
    })
    push(row)
    return row
  }

  return {
    /** Files a call for the user's decision (rule 3, 5, 6, 8; and the follow-up of a `prepare` call). */
    async propose (a: NewAction): Promise<ActionRow> {
      const row = await withTransaction(deps.pool, async (client) => {
        const inserted = await repo.insert(fresh(a, 'proposed', clock()), client)
        await deps.outbox.add(client, actionProposed(inserted))
        return inserted
      })
      push(row)
      return row
    },

    /** A write the rule let run (direct, or autonomous): recorded first, so it can be undone, then run. */
    async runNow (a: NewAction, ctx: Omit<ExecContext, 'idempotencyKey'>): Promise<ActionRow> {
      const row = await repo.insert(fresh(a, 'executing', clock()))
      return await execute(row, ctx)
    },

    async approve (identity: Identity, id: string, edits: Record<string, unknown> | undefined, request?: FastifyRequest): Promise<ActionRow> {
      const row = await decide(identity, id, 'approved', request, (before) => {
        let args = before.args
        if (edits && Object.keys(edits).length > 0) {
          const checked = checkArgs(before.tool, { ...before.args, ...edits }, 'body/edits')
          if (!checked.ok) throw genericError('chat', 'VALIDATION_FAILED', checked.message, { details: checked.details })
          args = checked.value
        }
        // drafts and proposals wait in the action for integration-sync, which executes them when it arrives
        return before.class === 'prepare' ? { args, status: 'approved', result: { pending: 'integration-sync' } } : { args, status: 'executing' }
      }, () => ({ edited: edits !== undefined && Object.keys(edits).length > 0 }))
      if (row.status !== 'executing') return row
      return await execute(row, { identity, token: async () => await deps.tokenFor(row.requesterId), author: 'robbie' })
    },

    async reject (identity: Identity, id: string, reason: string | undefined, request?: FastifyRequest): Promise<ActionRow> {
      return await decide(identity, id, 'rejected', request, () => ({ status: 'rejected', ...(reason ? { result: { reason } } : {}) }))
    },

    /** Restores what a write changed (SPEC §3.7: at any time); anything else is too late. */
    async undo (identity: Identity, id: string, request?: FastifyRequest): Promise<ActionRow> {
      const claimed = await withTransaction(deps.pool, async (client) => {
        const row = await own(identity, id, client)
        if (row.status === 'undone') throw new TooLateToUndo('The action was already undone')
        if (row.status !== 'done') throw new TooLateToUndo(`The action is ${row.status}: there is nothing to undo`)
        if (row.class !== 'write' || !deps.executors.canUndo(row.tool)) throw new TooLateToUndo(`${row.tool} cannot be undone; make the reverse change as a new request`)
        return await repo.update(id, { status: 'executing' }, clock(), client)
      })
      try {
        await deps.executors.undo(claimed.tool, { identity, token: async () => await deps.tokenFor(claimed.requesterId), idempotencyKey: `${claimed.id}:undo`, author: 'robbie' }, claimed.undo ?? {})
      } catch (err) {
        await repo.update(id, { status: 'done' }, clock())
        if (err instanceof RobbieError && err.statusCode === 404) throw new TooLateToUndo('What the action changed no longer exists')
        throw err
      }
      const row = await withTransaction(deps.pool, async (client) => {
        const after = await repo.update(id, { status: 'undone' }, clock(), client)
        await deps.audit.record(client, auditEntry(after, 'undo', identity, request), request)
        await deps.outbox.add(client, actionDecided(after, 'undone', identity.id))
        return after
      })
      push(row)
      return row
    },

    async list (identity: Identity, q: { status?: ActionStatus, limit: number, cursor?: string }) {
      const rows = await repo.list(identity.id, { status: q.status, limit: q.limit, after: q.cursor })
      const more = rows.length > q.limit
      const items = more ? rows.slice(0, q.limit) : rows
      return { items, nextCursor: more ? items[items.length - 1]!.id : null }
    },

    /** `/approve 0199ab12c3`: the user's actions matching an id prefix (≥ 6 hex digits, hyphens ignored). */
    async byPrefix (identity: Identity, prefix: string): Promise<ActionRow[]> {
      return await repo.byPrefix(identity.id, prefix.replace(/-/g, '').toLowerCase(), 5)
    },

    /** The shortest prefix (≥ 8 hex digits) that names each action unambiguously among the user's own. */
    async shortIds (identity: Identity, ids: string[]): Promise<Map<string, string>> {
      const all = (await repo.neighbours(identity.id, ids)).map((i) => i.replace(/-/g, ''))
      return new Map(ids.map((id) => {
        const hex = id.replace(/-/g, '')
        let n = 8
        while (n < hex.length && all.some((o) => o !== hex && o.startsWith(hex.slice(0, n)))) n++
        return [id, hex.slice(0, n)]
      }))
    },

    /** The kit job: proposals older than 7 days expire, each with its decided event. */
    async expire (): Promise<number> {
      const expired = await withTransaction(deps.pool, async (client) => {
        const rows = await repo.expireDue(clock(), client)
        for (const row of rows) await deps.outbox.add(client, actionDecided(row, 'expired', null))
        return rows
      })
      for (const row of expired) push(row)
      return expired.length
    }
  }
}
export type ActionsService = ReturnType<typeof createActionsService>
