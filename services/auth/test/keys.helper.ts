// The auth app as it runs, for the keys, delegate and audit tests: the real in-process key verifier (no
// stand-in), and the service keys of a bootstrap run whose HMAC rows are inserted as `npm start` does.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { loadConfig } from '@robbie/service-kit'
import { buildTestApp, testContext, type TestAppContext } from '@robbie/testing'
import { createApp } from '../src/app.js'
import { configSchema } from '../src/config.js'
import { insertServiceKeyHmacs, readKeyFile } from '../src/modules/keys/index.js'
import { bootstrapKeys, type ServiceKey } from '../../../scripts/bootstrap.js'
import { authKeyFiles } from './helper.js'

export interface KeysTestApp { app: FastifyInstance, ctx: TestAppContext, pepper: Buffer, svc: Record<string, string>, serviceKeys: ServiceKey[] }

export async function buildKeysApp (): Promise<KeysTestApp> {
  const ctx = await testContext('auth', { ROBBIE_RATE_LIMIT_MULTIPLIER: '1000', ...authKeyFiles() })
  const app = await buildTestApp(async () => await createApp(loadConfig(configSchema, ctx.env), { print: () => {} }))
  const pepper = readKeyFile(ctx.env.ROBBIE_APIKEY_PEPPER_FILE!)
  const boot = bootstrapKeys({ runDir: mkdtempSync(join(tmpdir(), 'robbie-keys-test-')), services: ['auth', 'chat', 'priorities', 'gpu-coordinator'] })
  await insertServiceKeyHmacs(app.db, pepper, boot.serviceKeys)
  const svc = Object.fromEntries(boot.serviceKeys.map((k) => [k.service, k.key]))
  return { app, ctx, pepper, svc, serviceKeys: boot.serviceKeys }
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` })

/** POST /internal/auth/keys/verify as `caller` (a service key). */
export async function verifyKey (app: FastifyInstance, caller: string, key: string) {
  return await app.inject({ method: 'POST', url: '/internal/auth/keys/verify', headers: bearer(caller), payload: { key } })
}
