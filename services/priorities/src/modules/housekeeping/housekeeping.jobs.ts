// The periodic housekeeping of SPEC §4.6, as kit jobs (one replica at a time, a run record each, §0.6):
// rescore (5 min), Q4 auto-archive (hourly), Q1 overload (5 min) and escalation of unacknowledged tasks (5 min).
// Surface versions are bumped after each commit (SPEC §4.7), never inside the transaction.
import type { FastifyInstance } from 'fastify'
import { createHints } from '@robbie/bus'
import { withTransaction } from '@robbie/db'
import { itemEvent, storedScore, taskEvent, type Affected, type ItemRow, type ItemScorer } from '../items/index.js'
import { createSurfaceCache } from '../surface/surface.cache.js'
import { createHousekeepingRepository } from './housekeeping.repository.js'
import { changedScores } from './rescore.js'

const SYSTEM = { type: 'system', id: 'priorities' } as const

export const JOBS = { rescore: 'rescore', archive: 'q4-auto-archive', overload: 'q1-overload', escalation: 'escalation' } as const
export const Q1_OVERLOAD_THRESHOLD = 10
const MINUTE = 60_000

export interface HousekeepingOptions { now?: () => Date, score?: ItemScorer }

const affectedBy = (items: ItemRow[]): Affected => ({
  users: [...new Set(items.flatMap((i) => [i.ownerUserId, ...(i.assigneeUserId ? [i.assigneeUserId] : []), ...(i.task?.watcherUserIds ?? [])]))],
  company: items.some((i) => i.visibility === 'company')
})

export function registerHousekeeping (app: FastifyInstance, opts: HousekeepingOptions = {}): void {
  const now = opts.now ?? (() => new Date())
  const score = opts.score ?? storedScore
  const repo = createHousekeepingRepository()
  const surface = createSurfaceCache({ redis: app.redis, hints: createHints({ redis: app.redis }) })
  const changed = async (affected: Affected) => { await surface.changed(affected).catch(() => {}) }

  app.jobs.schedule({
    name: JOBS.rescore,
    everyMs: 5 * MINUTE,
    async run () {
      const at = now()
      const items = await repo.openItems(app.db)
      const diff = changedScores(items, at, score)
      const written = await repo.writeScores(app.db, diff)
      // SPEC §4.7: the rescore increments the company version
      if (written > 0) await changed({ users: [], company: true })
      return { open: items.length, changed: written }
    }
  })

  app.jobs.schedule({
    name: JOBS.archive,
    everyMs: 60 * MINUTE,
    async run () {
      const archived = await withTransaction(app.db, async (client) => {
        const items = await repo.archiveIdleQ4(client, now())
        for (const i of items) {
          await app.outbox.add(client, itemEvent('item', 'archived', i, SYSTEM))
        }
        return items
      })
      if (archived.length > 0) await changed(affectedBy(archived))
      return { archived: archived.length }
    }
  })

  app.jobs.schedule({
    name: JOBS.overload,
    everyMs: 5 * MINUTE,
    async run () {
      const at = now()
      const result = await withTransaction(app.db, async (client) => {
        const counts = await repo.q1Counts(client)
        const states = await repo.overloadStates(client)
        let emitted = 0
        const flipped: string[] = []
        for (const userId of new Set([...counts.keys(), ...states.keys()])) {
          const count = counts.get(userId) ?? 0
          const over = count > Q1_OVERLOAD_THRESHOLD
          if ((states.get(userId) ?? false) === over) continue
          await repo.setOverload(client, userId, over, count, at)
          flipped.push(userId)
          // only the rise past the threshold is announced; the drop re-arms it
          if (over) {
            await app.outbox.add(client, {
              type: 'priorities.q1.overloaded.v1',
              subject: { type: 'user', id: userId },
              actor: { type: 'system', id: 'priorities' },
              visibility: 'private',
              data: { userId, count }
            })
            emitted++
          }
        }
        return { emitted, flipped }
      })
      if (result.flipped.length > 0) await changed({ users: result.flipped, company: false })
      return { overloaded: result.emitted, changed: result.flipped.length }
    }
  })

  app.jobs.schedule({
    name: JOBS.escalation,
    everyMs: 5 * MINUTE,
    async run () {
      const escalated = await withTransaction(app.db, async (client) => {
        const ownerId = await repo.ownerId(client)
        if (ownerId === null) return []
        const items = await repo.escalateDue(client, ownerId, now())
        for (const i of items) {
          await app.outbox.add(client, taskEvent('escalated', i, SYSTEM))
        }
        return items
      })
      if (escalated.length > 0) await changed(affectedBy(escalated))
      return { escalated: escalated.length }
    }
  })
}
