// Builds a chat app with just the kit, personality and notes (until app.ts wires them in), on top of
// @robbie/testing: its own database clone and Redis prefix, captured logs, tokens minted per user.
import { join } from 'node:path'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { uuidv7, type Role } from '@robbie/contracts'
import { createService, defineConfig, loadConfig } from '@robbie/service-kit'
import { buildTestApp, captureLogs, mintAccessToken, testContext, type TestAppContext } from '@robbie/testing'
import { createPersonalityApi, personalityRoutes, type Notify, type SampleAnswer } from '../src/modules/personality/index.js'
import { createNotesApi, notesRoutes, registerNotesJobs, type NotesService } from '../src/modules/notes/index.js'
import type { NotesApi } from '../src/modules/assistant.types.js'

export interface Cb1App { app: FastifyInstance, ctx: TestAppContext, logs: ReturnType<typeof captureLogs>, notes: NotesApi & NotesService }

export async function buildCb1App (opts: { env?: Record<string, string>, ctx?: TestAppContext, notify?: Notify, sample?: SampleAnswer } = {}): Promise<Cb1App> {
  const ctx = opts.ctx ?? await testContext('chat', opts.env)
  const logs = captureLogs()
  let notes: (NotesApi & NotesService) | undefined
  const app = await buildTestApp(async () => {
    const app = await createService({ name: 'chat', config: loadConfig(defineConfig({}), ctx.env), serviceDir: join(import.meta.dirname, '..'), deps: { logDestination: logs.stream } })
    const personality = createPersonalityApi(app, opts.notify ? { notify: opts.notify } : {})
    await app.register(personalityRoutes, { prefix: '/api/chat', personality, ...(opts.sample ? { sample: opts.sample } : {}) })
    notes = createNotesApi(app)
    registerNotesJobs(app, notes, { everyMs: 0 }) // tests run it with app.jobs.runOnce
    await app.register(notesRoutes, { prefix: '/api/chat', notes })
    return app
  })
  return { app, ctx, logs, notes: notes! }
}

export interface User { id: string, role: Role, headers: Record<string, string> }
export async function user (role: Role = 'member', id = uuidv7()): Promise<User> {
  return { id, role, headers: { authorization: `Bearer ${await mintAccessToken({ role, sub: id })}` } }
}

export const codeOf = (res: LightMyRequestResponse): [number, string | undefined] =>
  [res.statusCode, res.statusCode >= 400 ? (res.json() as { error: { code: string } }).error.code : undefined]

export async function outboxEvents (app: FastifyInstance, type: string, subjectId: string) {
  const { rows } = await app.db.query("SELECT envelope FROM outbox WHERE type = $1 AND envelope->'subject'->>'id' = $2 ORDER BY id", [type, subjectId])
  return rows.map((r: { envelope: { data: Record<string, unknown>, visibility: string, actor?: unknown } }) => r.envelope)
}
