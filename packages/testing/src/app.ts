// Builds a service's app for a test: its own cloned database, its own Redis prefix, test keys.
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { afterAll } from 'vitest'
import { cloneDatabase, type TestDatabase } from './db.js'
import { cleanRedisPrefix, redisPrefix } from './redis.js'
import { testEnv } from './env.js'

export interface TestAppContext { db: TestDatabase, prefix: string, env: Record<string, string> }

/** The environment a service would get from `npm start`, pointed at this test's database and prefix. */
export function serviceEnv (service: string, db: TestDatabase, prefix: string, extra: Record<string, string> = {}): Record<string, string> {
  const env = testEnv()
  return {
    HOST: '127.0.0.1',
    PORT: '0',
    DATABASE_URL: db.urlFor(service),
    REDIS_URL: env.redisUrl,
    ROBBIE_REDIS_PREFIX: prefix,
    LOG_LEVEL: 'warn',
    ROBBIE_JWT_KEYS_FILE: env.jwtKeysFile,
    ROBBIE_SERVICE_KEY_FILE: join(env.keysDir, `svc-${service}.key`),
    ROBBIE_AUDIT_HMAC_KEY_FILE: join(env.keysDir, 'audit-hmac'),
    ROBBIE_APIKEY_PEPPER_FILE: join(env.keysDir, 'apikey-pepper'),
    ROBBIE_AUDIT_CHECKPOINT_KEY_FILE: join(env.keysDir, 'audit-checkpoint.json'),
    ROBBIE_INSTANCE: `${service}-test`,
    ...extra
  }
}

/** Registers clean-up: `afterAll` (the default, for file-level set-up) or `onTestFinished` inside a test. */
export type Cleanup = (fn: () => Promise<void>) => void

/** One database clone and Redis prefix per test file, dropped after it. */
export async function testContext (service: string, extra: Record<string, string> = {}, cleanup: Cleanup = afterAll): Promise<TestAppContext> {
  const db = await cloneDatabase()
  const prefix = redisPrefix()
  cleanup(async () => {
    await cleanRedisPrefix(prefix)
    await db.drop()
  })
  return { db, prefix, env: serviceEnv(service, db, prefix, extra) }
}

/** Builds, readies and (after the file) closes an app. */
export async function buildTestApp (build: () => Promise<FastifyInstance>, cleanup: Cleanup = afterAll): Promise<FastifyInstance> {
  const app = await build()
  await app.ready()
  cleanup(async () => { await app.close() })
  return app
}
