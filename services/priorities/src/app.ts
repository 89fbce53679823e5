// The composition root of priorities: the kit, then the items (intake, tasks, overrides), the surface with its
// Redis cache and live pushes, people and deals, and the scoring dry run.
import { join } from 'node:path'
import { createHints } from '@robbie/bus'
import { createService, type ServiceDeps } from '@robbie/service-kit'
import type { Config } from './config.js'
import { buildItemsService, createItemsRepository } from './modules/items/index.js'
import { createAuthUsers } from './modules/items/auth-users.js'
import { createSurfaceCache } from './modules/surface/surface.cache.js'
import { createSurfaceService } from './modules/surface/surface.service.js'
import { surfaceRoutes } from './modules/surface/surface.routes.js'
import { tasksRoutes } from './modules/tasks/tasks.routes.js'
import { peopleRoutes } from './modules/people/people.routes.js'
import { dealsRoutes } from './modules/deals/deals.routes.js'
import { settingsRoutes } from './modules/settings/settings.routes.js'
import { scoringRoutes } from './modules/scoring/index.js'
import { registerIntake } from './modules/intake/intake.consumer.js'
import { registerHousekeeping } from './modules/housekeeping/housekeeping.jobs.js'
import { sampleRoutes } from './modules/sample/sample.routes.js'

export const serviceDir = join(import.meta.dirname, '..')

export async function createApp (config: Config, deps: ServiceDeps = {}) {
  const app = await createService({ name: 'priorities', config, serviceDir, deps })
  const hints = createHints({ redis: app.redis })
  const cache = createSurfaceCache({ redis: app.redis, hints })
  // without ROBBIE_AUTH_URL (a lone service in development) assignees are not checked
  const users = config.ROBBIE_AUTH_URL ? createAuthUsers({ baseUrl: config.ROBBIE_AUTH_URL, serviceKeyFile: config.ROBBIE_SERVICE_KEY_FILE }) : undefined
  const items = buildItemsService(app, { notifier: cache, ...(users ? { users } : {}) })
  const surface = createSurfaceService({ pool: app.db, repo: createItemsRepository(app.db), cache })

  await app.register(tasksRoutes, { prefix: '/api/priorities', items })
  await app.register(surfaceRoutes, { prefix: '/api/priorities', items, surface })
  await app.register(peopleRoutes, { prefix: '/api/priorities', notifier: cache })
  await app.register(dealsRoutes, { prefix: '/api/priorities', items })
  await app.register(settingsRoutes, { prefix: '/api/priorities', notifier: cache })
  await app.register(scoringRoutes, {
    lookupPeople: async (emails: string[]) => {
      const { rows } = await app.db.query('SELECT email, name, tier, score, response_hours FROM people WHERE email = ANY($1::text[])', [emails])
      return new Map(rows.map((r: Record<string, unknown>) => [r.email as string, { name: r.name as string | null, tier: r.tier as never, score: r.score as number, responseHours: r.response_hours as number }]))
    },
    focusOf: async (userId: string) => (await app.db.query('SELECT gandhi FROM user_focus WHERE user_id = $1', [userId])).rows[0]?.gandhi as number | undefined
  })
  await app.register(sampleRoutes, { items })
  registerIntake(app)
  registerHousekeeping(app)
  app.addHook('onClose', async () => { await hints.close() })
  return app
}
