// A kit app for the kit's own tests: a real service (priorities' schema and migrations) plus routes a test adds.
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { buildTestApp, testContext, type TestAppContext } from '@robbie/testing'
import { createService, defineConfig, loadConfig, type ServiceDeps } from '../src/index.js'

export const serviceDir = join(import.meta.dirname, '..', '..', '..', 'services', 'priorities')

export async function buildKitApp (opts: {
  ctx?: TestAppContext
  env?: Record<string, string>
  deps?: ServiceDeps
  routes?: (app: FastifyInstance) => void | Promise<void>
} = {}): Promise<{ app: FastifyInstance, ctx: TestAppContext }> {
  const ctx = opts.ctx ?? await testContext('priorities')
  const config = loadConfig(defineConfig({}), { ...ctx.env, ...opts.env })
  const app = await buildTestApp(async () => {
    const app = await createService({ name: 'priorities', config, serviceDir, deps: opts.deps })
    await opts.routes?.(app)
    return app
  })
  return { app, ctx }
}
