// The items module's public face: P3's event consumers create items through `createFromSource` (with dedup)
// and call `changed(result.affected)` after their own transaction commits.
import type { FastifyInstance } from 'fastify'
import { createItemsRepository } from './items.repository.js'
import { createItemsService, type ChangeNotifier, type ItemsDeps } from './items.service.js'
import { storedScore } from './item-scorer.js'

export * from './items.service.js'
export * from './items.repository.js'
export { itemEvent, itemEventData, taskEvent } from './items.events.js'
export * from './items.errors.js'
export { jaccard, bestDuplicate, wordSet } from './dedup.js'
export { storedScore, scoreRow } from './item-scorer.js'
export { toScoringItem } from './scoring-input.js'

/** The items service wired to the app's pool, outbox and audit; `notifier` bumps surface versions. */
export function buildItemsService (app: FastifyInstance, extra: { notifier?: ChangeNotifier, users?: ItemsDeps['users'], now?: () => Date } = {}) {
  return createItemsService({ pool: app.db, repo: createItemsRepository(app.db), outbox: app.outbox, audit: app.audit, score: storedScore, ...extra })
}
