// SPEC §5.3, rotation due: secrets.secret.rotation-due.v1 once per due date for every secret whose
// rotation_due_at or expires_at falls within 14 days; the assignee is metadata.ownerUserId, else the creator.
// SPEC asks for a daily run at 08:00 in the company time zone; the kit's scheduler has no cron expressions yet,
// so the job runs hourly and the notified_for marks keep it to one event per secret, reason and due date
// (a missed 08:00 costs at most an hour). One replica at a time (the kit's advisory lock per job), and
// FOR UPDATE SKIP LOCKED plus the marks written with the outbox row make overlapping runs harmless.
import type { FastifyInstance } from 'fastify'
import { withTransaction, type Pool } from '@robbie/db'
import type { Outbox } from '@robbie/bus'
import { rotationDue, type RotationDue } from './rotation-due.events.js'
import { createRotationDueRepository, type DueRow } from './rotation-due.repository.js'

export const ROTATION_DUE_JOB = 'rotation-due'
export const ROTATION_DUE_DAYS = 14
const HOURLY = 3_600_000
const BATCH = 200
const DAY_MS = 86_400_000
const USER_ID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** A user id, or null when neither the metadata nor the creator names a user (`system:cli`, a service). */
function assigneeOf (row: DueRow): string | null {
  if (row.ownerUserId && USER_ID_RE.test(row.ownerUserId)) return row.ownerUserId
  const creator = row.createdBy?.replace(/^user:/, '') ?? null
  return creator && USER_ID_RE.test(creator) ? creator : null
}

export async function announceRotationDue (deps: { pool: Pool, outbox: Pick<Outbox, 'add'>, now?: () => Date }): Promise<{ rotation: number, expiry: number }> {
  const repo = createRotationDueRepository()
  const counts = { rotation: 0, expiry: 0 }
  for (;;) {
    const horizon = new Date((deps.now?.() ?? new Date()).getTime() + ROTATION_DUE_DAYS * DAY_MS)
    const n = await withTransaction(deps.pool, async (client) => {
      const rows = await repo.lockDue(client, horizon, BATCH)
      for (const row of rows) {
        const base = { secretId: row.id, service: row.service, name: row.name, scope: row.scope, assigneeUserId: assigneeOf(row) }
        const due: RotationDue[] = []
        if (row.rotationPending && row.rotationDueAt) due.push({ ...base, dueAt: row.rotationDueAt.toISOString(), reason: 'rotation' })
        if (row.expiryPending && row.expiresAt) due.push({ ...base, dueAt: row.expiresAt.toISOString(), reason: 'expiry' })
        for (const d of due) {
          await deps.outbox.add(client, rotationDue(d, row.visibility))
          counts[d.reason]++
        }
        await repo.markAnnounced(client, row.id, row.rotationPending, row.expiryPending)
      }
      return rows.length
    })
    if (n < BATCH) return counts
  }
}

/** Registered by app.ts: the job runs hourly on one replica; `app.jobs.runOnce('rotation-due')` runs it now. */
export function registerRotationDue (app: FastifyInstance, opts: { now?: () => Date } = {}): void {
  app.jobs.schedule({
    name: ROTATION_DUE_JOB,
    everyMs: HOURLY,
    run: async () => await announceRotationDue({ pool: app.db, outbox: app.outbox, ...(opts.now ? { now: opts.now } : {}) })
  })
}
