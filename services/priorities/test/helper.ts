// Builds the priorities app for a test file on top of @robbie/testing: its own database clone and Redis prefix,
// captured logs. Tokens are minted per user: `as('member', userId)`.
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { uuidv7, type Role } from '@robbie/contracts'
import { loadConfig } from '@robbie/service-kit'
import { buildTestApp, captureLogs, mintAccessToken, testContext, type Cleanup, type TestAppContext } from '@robbie/testing'
import { createApp } from '../src/app.js'
import { configSchema } from '../src/config.js'

export interface PrioritiesTestApp { app: FastifyInstance, ctx: TestAppContext, logs: ReturnType<typeof captureLogs> }

export async function buildPrioritiesApp (opts: { ctx?: TestAppContext, env?: Record<string, string>, cleanup?: Cleanup } = {}): Promise<PrioritiesTestApp> {
  const ctx = opts.ctx ?? await testContext('priorities', { ROBBIE_RATE_LIMIT_MULTIPLIER: '1000' })
  const env = { ...ctx.env, ...opts.env }
  const logs = captureLogs()
  const app = await buildTestApp(async () => await createApp(loadConfig(configSchema, env), { logDestination: logs.stream }), opts.cleanup)
  return { app, ctx, logs }
}

export interface User { id: string, role: Role, headers: Record<string, string> }
/** A user with a fresh id and a token for it. */
export async function user (role: Role, id = uuidv7()): Promise<User> {
  return { id, role, headers: { authorization: `Bearer ${await mintAccessToken({ role, sub: id })}` } }
}

export const codeOf = (res: LightMyRequestResponse): [number, string | undefined] =>
  [res.statusCode, res.statusCode >= 400 ? (res.json() as { error: { code: string } }).error.code : undefined]

/** The outbox rows of a type about one subject, oldest first. */
export async function outboxEvents (app: FastifyInstance, type: string, subjectId: string) {
  const { rows } = await app.db.query("SELECT envelope FROM outbox WHERE type = $1 AND envelope->'subject'->>'id' = $2 ORDER BY id", [type, subjectId])
  return rows.map((r: { envelope: { data: Record<string, unknown>, visibility: string } }) => r.envelope)
}
