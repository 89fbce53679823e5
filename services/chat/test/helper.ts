// Builds the chat app for a test file, listening on a real port, with its own database clone and Redis prefix,
// the fake Ollama node as its model host, and stand-ins for the two services it calls internally: auth
// (delegation, company, users, key checks) and secrets (exact-value matching), each speaking its contract.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import WebSocket from 'ws'
import { afterAll } from 'vitest'
import { uuidv7, type Identity, type Role } from '@robbie/contracts'
import { loadConfig, type VerifyApiKey } from '@robbie/service-kit'
import { buildTestApp, captureLogs, mintAccessToken, startFakeOllama, testContext, type FakeOllama, type StartFakeOllamaOptions, type TestAppContext } from '@robbie/testing'
import { createApp } from '../src/app.js'
import { configSchema } from '../src/config.js'

export const ORIGIN = 'http://localhost:3000'

/** Stand-in for auth's and secrets' internal routes: what chat asks, answered per their contracts. */
export interface Internal {
  url: string
  calls: Array<{ method: string, path: string, body: unknown }>
  users: Map<string, { name: string, role: Role, status: string, email: string }>
  company: { name: string, ownerUserId: string | null, ownerName: string | null, timeZone: string }
  /** values the secrets stand-in recognises */
  secrets: Set<string>
  /** set false to answer 503 from /internal/secrets/match */
  secretsUp: boolean
}

async function body (req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = []
  for await (const c of req as AsyncIterable<Buffer>) chunks.push(c)
  const text = Buffer.concat(chunks).toString('utf8')
  return text ? JSON.parse(text) : undefined
}

export async function startInternal (): Promise<Internal & { server: Server }> {
  const state: Omit<Internal, 'url'> = {
    calls: [],
    users: new Map(),
    company: { name: 'Acme Test', ownerUserId: null, ownerName: 'Olivia Owner', timeZone: 'Europe/Berlin' },
    secrets: new Set(),
    secretsUp: true
  }
  const send = (res: ServerResponse, status: number, value: unknown) => { res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value)) }
  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://x')
      const b = await body(req)
      state.calls.push({ method: req.method ?? '', path: url.pathname, body: b })
      if (!req.headers.authorization?.startsWith('Bearer robbie_svc_')) return send(res, 401, { error: { code: 'AUTH_UNAUTHENTICATED' } })
      if (url.pathname === '/internal/auth/delegate') {
        const { userId } = b as { userId: string }
        return send(res, 200, { token: `delegated.${userId}`, expiresAt: new Date(Date.now() + 300_000).toISOString() })
      }
      if (url.pathname === '/internal/auth/company') return send(res, 200, { ...state.company, slug: 'acme', internalDomains: [] })
      if (url.pathname === '/internal/auth/users') {
        const ids = (url.searchParams.get('ids') ?? '').split(',')
        return send(res, 200, { items: ids.filter((id) => state.users.has(id)).map((id) => ({ id, ...state.users.get(id) })), nextCursor: null })
      }
      if (url.pathname === '/internal/secrets/match') {
        if (!state.secretsUp) return send(res, 503, { error: { code: 'SECRETS_SEALED' } })
        const { candidates } = b as { candidates: string[] }
        return send(res, 200, { matches: candidates.flatMap((c, i) => (state.secrets.has(c) ? [i] : [])) })
      }
      send(res, 404, { error: { code: 'NOT_FOUND' } })
    })()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  afterAll(async () => { await new Promise((resolve) => server.close(resolve)) })
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`
  return Object.assign(state, { url, server })
}

export interface ChatTestApp {
  app: FastifyInstance
  ctx: TestAppContext
  logs: ReturnType<typeof captureLogs>
  internal: Awaited<ReturnType<typeof startInternal>>
  ollama: FakeOllama
  /** ws://127.0.0.1:<port>/ws */
  wsUrl: string
  /** API keys this app accepts: key → identity (the stand-in for auth's /internal/auth/keys/verify) */
  keys: Map<string, { identity: Identity, expiresAt: string | null }>
}

/** `replicaOf`: a second instance on the same database, Redis prefix, fake node and stand-ins. */
export async function buildChatApp (opts: { env?: Record<string, string>, ollama?: StartFakeOllamaOptions, noModel?: boolean, replicaOf?: ChatTestApp } = {}): Promise<ChatTestApp> {
  if (opts.replicaOf) {
    const r = opts.replicaOf
    const logs = captureLogs()
    const env = { ...r.ctx.env, ROBBIE_INSTANCE: 'chat-test-2' }
    const app = await buildTestApp(async () => await createApp(loadConfig(configSchema, env), { logDestination: logs.stream, verifyApiKey: async (key) => r.keys.get(key) ?? null }))
    await app.listen({ port: 0, host: '127.0.0.1' })
    return { ...r, app, logs, wsUrl: `ws://127.0.0.1:${(app.server.address() as { port: number }).port}/ws` }
  }
  const internal = await startInternal()
  const ollama = await startFakeOllama({ models: [{ name: 'default', sizeMb: 1000, loaded: true }, { name: 'fast', sizeMb: 500, loaded: true }], ...opts.ollama })
  afterAll(async () => { await ollama.close() })
  const ctx = await testContext('chat', {
    ROBBIE_RATE_LIMIT_MULTIPLIER: '1000',
    ROBBIE_AUTH_URL: internal.url,
    ROBBIE_SECRETS_URL: internal.url,
    ROBBIE_OLLAMA_HOST: ollama.url,
    ROBBIE_PUBLIC_ORIGINS: ORIGIN,
    ROBBIE_CHAT_MODEL_STATUS_TTL_MS: '0',
    ...opts.env
  })
  if (opts.noModel) delete ctx.env.ROBBIE_OLLAMA_HOST
  const keys = new Map<string, { identity: Identity, expiresAt: string | null }>()
  const verifyApiKey: VerifyApiKey = async (key) => keys.get(key) ?? null
  const logs = captureLogs()
  const app = await buildTestApp(async () => await createApp(loadConfig(configSchema, ctx.env), { logDestination: logs.stream, verifyApiKey }))
  await app.listen({ port: 0, host: '127.0.0.1' })
  const port = (app.server.address() as { port: number }).port
  return { app, ctx, logs, internal, ollama, wsUrl: `ws://127.0.0.1:${port}/ws`, keys }
}

export interface User { id: string, role: Role, token: string, headers: Record<string, string> }
/** A user with a fresh id, a name in the auth stand-in and a token. */
export async function user (t: Pick<ChatTestApp, 'internal'>, role: Role = 'member', name = `User ${role}`): Promise<User> {
  const id = uuidv7()
  t.internal.users.set(id, { name, role, status: 'active', email: `${id}@example.com` })
  const token = await mintAccessToken({ role, sub: id })
  return { id, role, token, headers: { authorization: `Bearer ${token}` } }
}

export const codeOf = (res: LightMyRequestResponse): [number, string | undefined] =>
  [res.statusCode, res.statusCode >= 400 ? (res.json() as { error: { code: string } }).error.code : undefined]

export type Frame = { type: string, seq?: number } & Record<string, any>

/** A ws client that keeps every frame it received and can wait for one. */
export interface Client {
  ws: WebSocket
  frames: Frame[]
  send (frame: Record<string, unknown>): void
  /** the first frame (from `from` on) matching, waiting for it */
  next (match: (f: Frame) => boolean, from?: number): Promise<Frame>
  closed: Promise<{ code: number, reason: string }>
  close (): Promise<void>
}

export async function connect (wsUrl: string, opts: { protocol?: string | string[], origin?: string | null, autoPong?: boolean } = {}): Promise<Client> {
  const protocol = opts.protocol ?? 'robbie.chat.v1'
  const ws = new WebSocket(wsUrl, protocol, { autoPong: opts.autoPong ?? true, ...(opts.origin === null ? {} : { origin: opts.origin ?? ORIGIN }) })
  const frames: Frame[] = []
  const waiters: Array<() => void> = []
  ws.on('message', (data) => {
    frames.push(JSON.parse(String(data)) as Frame)
    for (const w of waiters.splice(0)) w()
  })
  const closed = new Promise<{ code: number, reason: string }>((resolve) => {
    ws.on('close', (code, reason) => { resolve({ code, reason: reason.toString() }); for (const w of waiters.splice(0)) w() })
  })
  await new Promise<void>((resolve, reject) => { ws.once('open', () => resolve()); ws.once('error', reject); ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`))) })
  const client: Client = {
    ws,
    frames,
    send: (frame) => { ws.send(JSON.stringify(frame)) },
    async next (match, from = 0) {
      for (;;) {
        const found = frames.slice(from).find(match)
        if (found) return found
        if (ws.readyState === WebSocket.CLOSED) throw new Error(`socket closed; frames: ${JSON.stringify(frames).slice(0, 2000)}`)
        await new Promise<void>((resolve) => { waiters.push(resolve) })
      }
    },
    closed,
    async close () {
      if (ws.readyState !== WebSocket.CLOSED) { ws.close(); await closed }
    }
  }
  return client
}

/** Connects and says hello; resolves with the client and its welcome. */
export async function open (t: Pick<ChatTestApp, 'wsUrl'>, token: string, resume?: { sessionId: string, lastSeq: number }): Promise<{ client: Client, welcome: Frame }> {
  const client = await connect(t.wsUrl)
  client.send({ type: 'hello', v: 1, token, ...(resume ? { resume } : {}) })
  const welcome = await client.next((f) => f.type === 'welcome' || f.type === 'error')
  return { client, welcome }
}

/** Connects, says hello and waits for the server to close: its close code. */
export async function refused (t: Pick<ChatTestApp, 'wsUrl'>, token: string): Promise<number> {
  const client = await connect(t.wsUrl)
  client.send({ type: 'hello', v: 1, token })
  return (await client.closed).code
}

/** Sends a message and waits for its chat.done; the frames of that turn, in order. */
export async function turn (client: Client, content: string, conversationId: string | null = null, clientMsgId = uuidv7()) {
  const from = client.frames.length
  client.send({ type: 'chat.send', clientMsgId, conversationId, content })
  const accepted = await client.next((f) => (f.type === 'chat.accepted' || f.type === 'chat.error') && f.clientMsgId === clientMsgId, from)
  if (accepted.type === 'chat.error') return { accepted, done: null, frames: client.frames.slice(from), text: '' }
  const done = await client.next((f) => f.type === 'chat.done' && f.messageId === accepted.assistantMessageId, from)
  const frames = client.frames.slice(from)
  const text = frames.filter((f) => f.type === 'chat.delta' && f.messageId === accepted.assistantMessageId).map((f) => f.text as string).join('')
  return { accepted, done, frames, text }
}
