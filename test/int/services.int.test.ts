// Every service of the fleet list is a real service on the kit: its own schema and migrations, the kit's
// routes, identity on everything else, and a boot that refuses bad configuration.
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { describe, expect, it, onTestFinished } from 'vitest'
import { SERVICES } from '@robbie/contracts'
import { loadConfig } from '@robbie/service-kit'
import { buildTestApp, testContext, testEnv } from '@robbie/testing'
import type * as AuthApp from '../../services/auth/src/app.js'
import type * as AuthConfig from '../../services/auth/src/config.js'

const root = join(import.meta.dirname, '..', '..')
// every service has the template's shape; auth stands for all of them in the types
type AppModule = typeof AuthApp
type ConfigModule = typeof AuthConfig

describe.each(SERVICES)('%s', (service) => {
  it('answers health, readiness and docs, and 401 on everything else', async () => {
    const { createApp } = await import(join(root, 'services', service, 'src', 'app.ts')) as AppModule
    const { configSchema } = await import(join(root, 'services', service, 'src', 'config.ts')) as ConfigModule
    // secrets starts sealed without its master key (SPEC §5.2): give it the run's key, as npm start does
    const extra: Record<string, string> = service === 'secrets' ? { ROBBIE_SECRETS_MASTER_KEY_FILE: join(testEnv().keysDir, 'secrets-master.key') } : {}
    const ctx = await testContext(service, extra, onTestFinished)
    const app = await buildTestApp(async () => await createApp(loadConfig(configSchema, ctx.env)), onTestFinished)

    expect((await app.inject({ url: `/api/${service}/healthz` })).json()).toMatchObject({ status: 'ok', service })
    const ready = await app.inject({ url: `/api/${service}/readyz` })
    expect(ready.statusCode).toBe(200)
    expect(ready.json()).toMatchObject({ status: 'ready', checks: { postgres: { ok: true }, redis: { ok: true }, migrations: { ok: true } } })
    const doc = (await app.inject({ url: `/api/${service}/openapi.json` })).json()
    expect(doc.info.title).toBe(`Robbie ${service}`)
    expect((await app.inject({ url: `/api/${service}/admin/dead-letters` })).statusCode).toBe(401)
    expect((await app.inject({ url: `/internal/${service}/openapi.json` })).statusCode).toBe(401)
    // its own first migration ran in its own schema
    const { rows } = await app.db.query<{ n: number }>("SELECT count(*)::int AS n FROM schema_migrations WHERE source = 'service'")
    expect(rows[0]!.n).toBeGreaterThanOrEqual(1)
  })
})

describe('boot', () => {
  it('a service started with bad config exits at once, naming each bad variable', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'services', 'chat', 'src', 'server.ts')], {
      cwd: root,
      encoding: 'utf8',
      timeout: 20_000,
      env: { PATH: process.env.PATH, PORT: 'not-a-port', DATABASE_URL: 'mysql://nope', LOG_LEVEL: 'shouty', ROBBIE_JWT_KEYS_FILE: '/x', ROBBIE_SERVICE_KEY_FILE: '/y' }
    })
    expect(result.status).toBe(78)
    for (const name of ['PORT', 'DATABASE_URL', 'REDIS_URL', 'LOG_LEVEL']) expect(result.stderr).toContain(name)
    expect(result.stderr).not.toContain('ROBBIE_JWT_KEYS_FILE')
    expect(result.stderr).not.toMatch(/at .*\.ts:\d+/) // a message, not a stack
  })
})
