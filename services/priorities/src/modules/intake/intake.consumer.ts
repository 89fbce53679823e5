// Registers priorities' consumer group on the producers' streams (SPEC §4.8). Called once by app.ts.
import type { FastifyInstance } from 'fastify'
import { createHints } from '@robbie/bus'
import { buildItemsService, createItemsRepository, type Affected } from '../items/index.js'
import { createSurfaceCache } from '../surface/surface.cache.js'
import { createIntakeHandlers } from './intake.handlers.js'
import { createIntakeRepository } from './intake.repository.js'

export const INTAKE_STREAMS = ['secrets', 'auth', 'chat', 'integration-sync', 'github-bot']
/** The bus commits the handler's transaction right after it returns; surface versions are bumped after that. */
const AFTER_COMMIT_MS = 250

export function registerIntake (app: FastifyInstance, opts: { now?: () => Date } = {}): void {
  const surface = createSurfaceCache({ redis: app.redis, hints: createHints({ redis: app.redis }) })
  const items = buildItemsService(app, { notifier: surface, ...(opts.now ? { now: opts.now } : {}) })
  const changed = (affected: Affected) => {
    setTimeout(() => { void surface.changed(affected).catch(() => {}) }, AFTER_COMMIT_MS).unref()
  }
  const intake = createIntakeHandlers({
    repo: createIntakeRepository(),
    items,
    itemsRepo: createItemsRepository(app.db),
    outbox: app.outbox,
    changed,
    ...(opts.now ? { now: opts.now } : {})
  })
  app.bus.consume({ streams: INTAKE_STREAMS, types: intake.types }, intake.handle)
}
