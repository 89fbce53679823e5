// The model endpoints (Ollama- and OpenAI-compatible, SPEC §7.3) and the decision log (SPEC §7.4). app.ts
// calls registerModelEndpoints(app, { mesh, config }) and registerDecisions(app).
import type { FastifyInstance } from 'fastify'
import type { Config } from '../../config.js'
import type { Mesh } from '../mesh/mesh.types.js'
import { createCompanySettings } from './company-settings.js'
import { createDecisionsRepository } from './decisions.repository.js'
import { decisionsRoutes } from './decisions.routes.js'
import { createModelCall, type ProxyConfig } from './model-call.js'
import { createNodeAgents } from './node-call.js'
import { ollamaRoutes } from './ollama.routes.js'
import { openAiRoutes } from './openai.routes.js'
import { createProxyMetrics } from './proxy.metrics.js'
import { createQuota } from './quota.js'
import { createUsageRepository } from './usage.repository.js'
import { createWriteBehind } from './write-behind.js'

export { OLLAMA_API_VERSION } from './catalogue.views.js'

const PREFIX = '/api/gpu-coordinator'
const HOUR = 3_600_000
export const COMPANY_UPDATED = 'auth.company.updated.v1'

export async function registerModelEndpoints (app: FastifyInstance, opts: {
  mesh: Pick<Mesh, 'acquire' | 'resolveModel' | 'catalogue'>
  config: ProxyConfig & Pick<Config, 'ROBBIE_AUTH_URL' | 'ROBBIE_SERVICE_KEY_FILE'>
}): Promise<void> {
  const agents = createNodeAgents()
  const writes = createWriteBehind({ decisions: createDecisionsRepository(app.db), usage: createUsageRepository(app.db), log: app.log })
  const settings = createCompanySettings({
    ...(opts.config.ROBBIE_AUTH_URL ? { authUrl: opts.config.ROBBIE_AUTH_URL } : {}),
    serviceKeyFile: opts.config.ROBBIE_SERVICE_KEY_FILE
  })
  // a changed quota or time zone applies at the next call (the cache also expires within a minute)
  app.bus.consume({ streams: ['auth'], types: [COMPANY_UPDATED] }, async () => { settings.evict() })
  const modelCall = createModelCall({
    mesh: opts.mesh,
    config: opts.config,
    agents,
    quota: createQuota({ usage: createUsageRepository(app.db), settings }),
    writes,
    metrics: createProxyMetrics(app.metrics)
  })
  await app.register(ollamaRoutes, { prefix: PREFIX, mesh: opts.mesh, modelCall })
  await app.register(openAiRoutes, { prefix: PREFIX, mesh: opts.mesh, modelCall })
  // onClose hooks run last-registered first: this one before the kit's closes the pool
  app.addHook('onClose', async () => {
    await writes.drain()
    agents.destroy()
  })
}

export async function registerDecisions (app: FastifyInstance): Promise<void> {
  const repo = createDecisionsRepository(app.db)
  const usage = createUsageRepository(app.db)
  await app.register(decisionsRoutes, { prefix: PREFIX, repo })
  app.jobs.schedule({
    name: 'decisions-purge',
    everyMs: HOUR,
    run: async () => ({ decisions: await repo.purge(), usage: await usage.purge() })
  })
}
