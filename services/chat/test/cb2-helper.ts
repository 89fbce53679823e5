// Builds chat with the commands, tools and actions (plus the personality and notes they use) for a test file, and a
// real priorities app on a port of its own, so tools really create tasks. Auth and the coordinator's mesh are a
// stand-in HTTP server speaking their contracts: /internal/auth/delegate (tokens minted with the test keys, as
// auth signs them), /internal/auth/users, /internal/auth/company, POST /api/auth/killswitch, and GET
// /api/gpu-coordinator/mesh (scripted, or 503).
import { readFileSync } from 'node:fs'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { join } from 'node:path'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { afterAll } from 'vitest'
import { ROLE_SCOPES, uuidv7, type Identity, type Role } from '@robbie/contracts'
import { createService, loadConfig } from '@robbie/service-kit'
import { buildTestApp, captureLogs, mintAccessToken, serviceEnv, testContext, testEnv, type TestAppContext } from '@robbie/testing'
import { createApp as createPrioritiesApp } from '../../priorities/src/app.js'
import { configSchema as prioritiesConfig } from '../../priorities/src/config.js'
import { configSchema } from '../src/config.js'
import type { CommandsApi, TurnContext } from '../src/modules/assistant.types.js'
import { createPersonalityApi } from '../src/modules/personality/index.js'
import { createNotesApi } from '../src/modules/notes/index.js'
import { createDirectory } from '../src/modules/engine/directory.js'
import { createTools, type MeshView, type Tools } from '../src/modules/tools/index.js'
import { createCommands } from '../src/modules/commands/index.js'
import { actionsRoutes } from '../src/modules/actions/index.js'

export interface User { id: string, role: Role, name: string, email: string, headers: Record<string, string> }
interface DirUser { id: string, email: string, name: string, role: Role, status: 'active' | 'disabled' }
export interface Call { method: string, path: string, body: unknown, authorization: string }

/** auth's and the coordinator's routes chat calls, answered from memory; every call recorded. */
export async function startStandIn (serviceKeys: string[], mirror: { current?: (state: object) => Promise<void> }) {
  const users = new Map<string, DirUser>()
  const calls: Call[] = []
  const state = {
    company: { name: 'Acme', slug: 'acme', timeZone: 'America/New_York', ownerUserId: null as string | null, ownerName: null as string | null },
    mesh: null as MeshView | null,
    killswitch: { active: false, pauseOutbound: false, reason: null as string | null, since: null as string | null, by: null as string | null }
  }
  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body))
  }
  const bodyOf = async (req: IncomingMessage) => {
    let raw = ''
    for await (const chunk of req) raw += String(chunk)
    return raw ? JSON.parse(raw) as Record<string, unknown> : undefined
  }
  const claims = (auth: string) => JSON.parse(Buffer.from(auth.replace(/^Bearer /, '').split('.')[1] ?? '', 'base64url').toString()) as { sub: string, role: Role }
  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://x')
      const body = await bodyOf(req)
      const authorization = req.headers.authorization ?? ''
      calls.push({ method: req.method ?? '', path: url.pathname + url.search, body, authorization })
      const internal = url.pathname.startsWith('/internal/')
      if (internal && !serviceKeys.some((k) => authorization === `Bearer ${k}`)) return json(res, 403, { error: { code: 'AUTH_FORBIDDEN', message: 'not a service', requestId: 'x' } })
      // only chat delegates
      if (url.pathname === '/internal/auth/delegate' && authorization !== `Bearer ${serviceKeys[0]!}`) return json(res, 403, { error: { code: 'AUTH_FORBIDDEN', message: 'not chat', requestId: 'x' } })
      if (req.method === 'POST' && url.pathname === '/internal/auth/delegate') {
        const u = users.get(String(body?.userId))
        if (!u || u.status !== 'active') return json(res, 404, { error: { code: 'AUTH_NOT_FOUND', message: 'No such active user', requestId: 'x' } })
        const ttlS = Number(body?.ttlS ?? 300)
        return json(res, 200, { token: await mintAccessToken({ sub: u.id, role: u.role, act: 'svc:chat', ttlS }), expiresAt: new Date(Date.now() + ttlS * 1000).toISOString() })
      }
      if (req.method === 'GET' && url.pathname === '/internal/auth/users') {
        const q = url.searchParams.get('q')?.toLowerCase()
        const ids = url.searchParams.get('ids')?.split(',')
        const items = [...users.values()].filter((u) => (q ? u.name.toLowerCase().startsWith(q) || u.email.startsWith(q) : ids?.includes(u.id)))
        return json(res, 200, { items, nextCursor: null })
      }
      if (req.method === 'GET' && url.pathname === '/internal/auth/company') return json(res, 200, state.company)
      if (req.method === 'POST' && url.pathname === '/api/auth/killswitch') {
        const who = claims(authorization)
        if (who.role === 'member') return json(res, 403, { error: { code: 'AUTH_FORBIDDEN', message: 'This needs the auth:admin scope', requestId: 'x' } })
        state.killswitch = { active: body?.active === true, pauseOutbound: body?.active === true, reason: (body?.reason as string | undefined) ?? null, since: new Date().toISOString(), by: who.sub }
        await mirror.current?.(state.killswitch)
        return json(res, 200, state.killswitch)
      }
      if (req.method === 'GET' && url.pathname === '/api/gpu-coordinator/mesh') {
        return state.mesh ? json(res, 200, state.mesh) : json(res, 503, { error: { code: 'GPU_COORDINATOR_UNAVAILABLE', message: 'no', requestId: 'x' } })
      }
      json(res, 404, { error: { code: 'GATEWAY_NOT_FOUND', message: 'no route', requestId: 'x' } })
    })().catch(() => { res.writeHead(500).end() })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`
  return {
    url,
    calls,
    state,
    async user (role: Role, name = `${role} ${Math.random().toString(36).slice(2, 8)}`): Promise<User> {
      const id = uuidv7()
      const email = `${name.toLowerCase().replace(/[^a-z0-9]+/g, '.')}@acme.test`
      users.set(id, { id, email, name, role, status: 'active' })
      if (role === 'owner') state.company.ownerUserId = id
      return { id, role, name, email, headers: { authorization: `Bearer ${await mintAccessToken({ role, sub: id })}` } }
    },
    close: async () => { await new Promise((resolve) => server.close(resolve)) }
  }
}
export type StandIn = Awaited<ReturnType<typeof startStandIn>>

export interface Cb2App {
  app: FastifyInstance
  priorities: FastifyInstance
  ctx: TestAppContext
  standIn: StandIn
  tools: Tools
  commands: CommandsApi
  personality: ReturnType<typeof createPersonalityApi>
  logs: ReturnType<typeof captureLogs>
  /** a turn for the user, as the engine makes one */
  turn (user: User, opts?: { tainted?: boolean }): TurnContext
  /** GET /api/priorities/… on the real priorities app, as the user */
  priorityGet (user: User, path: string): Promise<any>
}

export async function buildCb2App (opts: { env?: Record<string, string> } = {}): Promise<Cb2App> {
  const ctx = await testContext('chat', { ROBBIE_RATE_LIMIT_MULTIPLIER: '1000', ...opts.env })
  const mirror: { current?: (state: object) => Promise<void> } = {}
  const key = (svc: string) => readFileSync(join(testEnv().keysDir, `svc-${svc}.key`), 'utf8').trim()
  const standIn = await startStandIn([key('chat'), key('priorities')], mirror)
  const priorities = await buildTestApp(async () => await createPrioritiesApp(loadConfig(prioritiesConfig,
    serviceEnv('priorities', ctx.db, ctx.prefix, { ROBBIE_AUTH_URL: standIn.url, ROBBIE_RATE_LIMIT_MULTIPLIER: '1000' }))))
  await priorities.listen({ port: 0, host: '127.0.0.1' })
  const prioritiesUrl = `http://127.0.0.1:${(priorities.server.address() as { port: number }).port}`

  const logs = captureLogs()
  let tools: Tools | undefined
  let commands: CommandsApi | undefined
  let personality: ReturnType<typeof createPersonalityApi> | undefined
  const app = await buildTestApp(async () => {
    const config = loadConfig(configSchema, {
      ...ctx.env, ROBBIE_AUTH_URL: standIn.url, ROBBIE_PRIORITIES_URL: prioritiesUrl, ROBBIE_GPU_COORDINATOR_URL: standIn.url
    })
    const app = await createService({ name: 'chat', config, serviceDir: join(import.meta.dirname, '..'), deps: { logDestination: logs.stream } })
    personality = createPersonalityApi(app)
    const notes = createNotesApi(app)
    const directory = createDirectory({ authUrl: config.ROBBIE_AUTH_URL, serviceKeyFile: config.ROBBIE_SERVICE_KEY_FILE })
    tools = createTools(app, { config, personality, notes, directory })
    commands = createCommands(app, { tools, personality })
    app.bus.consume({ streams: [tools.events.stream], types: tools.events.types }, tools.events.handle)
    await app.register(actionsRoutes, { prefix: '/api/chat', actions: tools.actions })
    return app
  })
  mirror.current = async (state) => { await app.redis.client.set(`${app.redis.prefix}killswitch`, JSON.stringify(state)) }
  afterAll(async () => { await standIn.close() })

  const turn = (user: User, o: { tainted?: boolean } = {}): TurnContext => ({
    identity: identityOf(user),
    conversationId: uuidv7(),
    messageId: uuidv7(),
    tainted: o.tainted ?? false,
    userToken: async () => await tools!.directory.userToken(user.id),
    thinking: () => {}
  })
  const priorityGet = async (user: User, path: string) => {
    const res = await priorities.inject({ method: 'GET', url: `/api/priorities${path}`, headers: user.headers })
    if (res.statusCode !== 200) throw new Error(`GET ${path}: ${res.statusCode} ${res.body}`)
    return res.json()
  }
  return { app, priorities, ctx, standIn, tools: tools!, commands: commands!, personality: personality!, logs, turn, priorityGet }
}

/** The app with an owner and a member, for a file's beforeAll: `({ h, owner, member } = await buildWithUsers())`. */
export async function buildWithUsers (names: { owner?: string, member?: string } = {}): Promise<{ h: Cb2App, owner: User, member: User }> {
  const h = await buildCb2App()
  return { h, owner: await h.standIn.user('owner', names.owner), member: await h.standIn.user('member', names.member) }
}

/** A title no other test of the file uses (the app and its priorities live for the whole file). */
export const unique = (s: string) => `${s} ${Math.random().toString(36).slice(2, 10)}`

export const identityOf = (u: Pick<User, 'id' | 'role'>): Identity => ({ kind: 'user', id: u.id, role: u.role, scopes: [...ROLE_SCOPES[u.role]] })

export const codeOf = (res: LightMyRequestResponse): [number, string | undefined] =>
  [res.statusCode, res.statusCode >= 400 ? (res.json() as { error: { code: string } }).error.code : undefined]

export async function outboxEvents (app: FastifyInstance, type: string, subjectId: string) {
  const { rows } = await app.db.query("SELECT envelope FROM outbox WHERE type = $1 AND envelope->'subject'->>'id' = $2 ORDER BY id", [type, subjectId])
  return rows.map((r: { envelope: { data: Record<string, unknown>, visibility: string, taint: boolean } }) => r.envelope)
}

/** The user's tasks in priorities whose title is exactly `title` (any status). */
export async function tasksTitled (h: Cb2App, user: User, title: string) {
  const page = await h.priorityGet(user, `/tasks?q=${encodeURIComponent(title)}&limit=200`)
  return (page.items as { id: string, title: string, status: string, number: number, priority: string, dueAt: string | null, assigneeUserId: string | null }[])
    .filter((t) => t.title === title)
}
