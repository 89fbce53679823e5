// Builds the secrets app for a test file on top of @robbie/testing: its own database clone and Redis prefix,
// a master key file of its own, captured logs, and a stand-in for auth's key check that knows the service
// and node identities a test makes.
import { randomBytes } from 'node:crypto'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { generateApiKey, type Identity, type Role } from '@robbie/contracts'
import { loadConfig } from '@robbie/service-kit'
import { buildTestApp, captureLogs, mintAccessToken, testContext, type Cleanup, type TestAppContext } from '@robbie/testing'
import { createApp } from '../src/app.js'
import { configSchema } from '../src/config.js'

const keyDir = mkdtempSync(join(tmpdir(), 'robbie-secrets-test-'))
let keyFiles = 0

/** A fresh master key (base64 of 32 bytes) written to a file of its own. */
export function masterKey (): { key: string, file: string } {
  const key = randomBytes(32).toString('base64')
  const file = join(keyDir, `master-${process.pid}-${++keyFiles}.key`)
  writeFileSync(file, key, { mode: 0o600 })
  return { key, file }
}

const identities = new Map<string, Identity>()
/** An API key the stand-in verifier accepts as `svc:<service>` (or `node:<name>` for a node agent). */
export function serviceKey (service: string, kind: 'service' | 'node' = 'service'): string {
  const made = generateApiKey('svc')
  identities.set(made.key, { kind, id: kind === 'service' ? `svc:${service}` : `node:${service}`, scopes: kind === 'node' ? ['gpu-coordinator:heartbeat'] : [], keyId: made.id })
  return made.key
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` })
export const asRole = async (role: Role, sub?: string) => bearer(await mintAccessToken({ role, ...(sub ? { sub } : {}) }))

export interface SecretsTestApp { app: FastifyInstance, ctx: TestAppContext, logs: ReturnType<typeof captureLogs>, keyFile: string | null }

/**
 * `env` is added to the context's; `masterKeyFile: null` starts without any key. Inside a test pass
 * `cleanup: onTestFinished` (an afterAll registered while a test runs would never fire).
 */
export async function buildSecretsApp (opts: { ctx?: TestAppContext, env?: Record<string, string>, masterKeyFile?: string | null, cleanup?: Cleanup } = {}): Promise<SecretsTestApp> {
  const ctx = opts.ctx ?? await testContext('secrets', { ROBBIE_RATE_LIMIT_MULTIPLIER: '1000', LOG_LEVEL: 'info' })
  const keyFile = opts.masterKeyFile === undefined ? masterKey().file : opts.masterKeyFile
  const env = { ...ctx.env, ...(keyFile ? { ROBBIE_SECRETS_MASTER_KEY_FILE: keyFile } : {}), ...opts.env }
  const logs = captureLogs()
  const app = await buildTestApp(async () => await createApp(loadConfig(configSchema, env), {
    logDestination: logs.stream,
    verifyApiKey: async (key) => { const identity = identities.get(key); return identity ? { identity, expiresAt: null } : null }
  }), opts.cleanup)
  return { app, ctx, logs, keyFile }
}

export const codeOf = (res: LightMyRequestResponse): [number, string | undefined] =>
  [res.statusCode, res.statusCode >= 400 ? (res.json() as { error: { code: string } }).error.code : undefined]
