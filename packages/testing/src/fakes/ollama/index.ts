// startFakeOllama(): a real HTTP server on 127.0.0.1 speaking Ollama's API (and its OpenAI-compatible one),
// with scripted replies, token timing and faults, for tests, benchmarks and local demos (CONVENTIONS §4).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import { once } from 'node:events'
import { createEngine } from './engine.js'
import { createFaults, GENERATION_PATHS } from './faults.js'
import { breakConnection, ConnectionGone, type Ctx, forever, ollamaError, openaiError } from './http.js'
import { createModelStore } from './models.js'
import { handleNative } from './native.js'
import { handleOpenAi } from './openai.js'
import type { FakeFault, FakeOllamaOptions, ReceivedRequest } from './types.js'

export type * from './types.js'

const BODY_LIMIT = 32 * 1024 * 1024
const DEFAULTS: FakeOllamaOptions = {
  models: [{ name: 'llama3.2:3b', sizeMb: 2000 }],
  tokensPerSecond: 1000,
  firstTokenDelayMs: 0,
  loadDelayMs: 0,
  version: '0.12.6',
  parallel: 4,
  memoryMb: Infinity,
  record: true
}

export interface StartFakeOllamaOptions extends Partial<FakeOllamaOptions> {
  /** Fixed port (the CLI's --port); 0, the default, picks a free one. */
  port?: number
  host?: string
}

async function readBody (req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size > BODY_LIMIT) throw new Error('request body too large')
    chunks.push(chunk)
  }
  return Buffer.concat(chunks).toString('utf8')
}

export async function startFakeOllama (start: StartFakeOllamaOptions = {}) {
  const { port: wantedPort = 0, host = '127.0.0.1', ...rest } = start
  const options: FakeOllamaOptions = { ...DEFAULTS, ...rest }
  const store = createModelStore(() => options)
  const engine = createEngine({ options: () => options, store })
  const faults = createFaults()
  const received: ReceivedRequest[] = []
  const sockets = new Set<Socket>()
  const live = new Set<Ctx>()
  let aborted = 0
  let listening = false

  const server = createServer({ noDelay: true, keepAliveTimeout: 5_000 }, (req, res) => { void handle(req, res) })
  server.on('connection', (socket) => { sockets.add(socket); socket.on('close', () => sockets.delete(socket)) })

  async function handle (req: IncomingMessage, res: ServerResponse) {
    const path = new URL(req.url ?? '/', 'http://fake').pathname
    const controller = new AbortController()
    const ctx: Ctx = { req, res, path, body: undefined, signal: controller.signal, brokenByServer: false }
    live.add(ctx)
    res.on('close', () => {
      live.delete(ctx)
      if (!res.writableFinished && !ctx.brokenByServer && GENERATION_PATHS.includes(path)) aborted++
      controller.abort(new ConnectionGone('client went away'))
    })
    try {
      const raw = await readBody(req)
      if (raw !== '') {
        try { ctx.body = JSON.parse(raw) } catch (err) { ctx.parseError = `invalid character in request body: ${(err as Error).message}` }
      }
      if (options.record) received.push({ method: req.method ?? 'GET', path, headers: req.headers, body: ctx.body, rawBody: raw, at: new Date() })
      ctx.fault = faults.take(path)
      if (await applyFault(ctx)) return
      if (await handleNative(ctx, { options: () => options, store, engine })) return
      if (await handleOpenAi(ctx, { options: () => options, store, engine })) return
      if ((req.method === 'GET' || req.method === 'HEAD') && path === '/') { res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Ollama is running'); return }
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('404 page not found')
    } catch (err) {
      if (err instanceof ConnectionGone || controller.signal.aborted) return
      // A throwing `respond` script: Ollama's 500 before the first byte, a cut stream after it.
      if (!res.headersSent) ollamaError(ctx, 500, (err as Error).message)
      else breakConnection(ctx)
    }
  }

  /** true when the fault answered (or swallowed) the request. Stream faults act later, in the writer. */
  async function applyFault (ctx: Ctx): Promise<boolean> {
    const fault = ctx.fault
    if (fault?.kind === 'refuse') { breakConnection(ctx); return true }
    if (fault?.kind === 'hang') await forever(ctx.signal)
    if (fault?.kind !== 'status') return false
    const message = fault.message ?? `fake fault: status ${fault.status}`
    if (ctx.path.startsWith('/v1/')) openaiError(ctx, fault.status, message)
    else ollamaError(ctx, fault.status, message)
    return true
  }

  async function listen () {
    if (listening) return
    server.listen(port || wantedPort, host)
    await once(server, 'listening')
    listening = true
  }

  /** Like a dead machine: no listener, every connection cut, every generation stopped. */
  async function cutAll () {
    if (!listening) return
    listening = false
    const closed = once(server, 'close')
    server.close()
    for (const ctx of live) ctx.brokenByServer = true
    for (const socket of sockets) socket.destroy()
    await closed
  }

  let port = 0
  await listen()
  port = (server.address() as { port: number }).port

  return {
    url: `http://${host}:${port}`,
    port,
    received,
    get aborted () { return aborted },
    /** Generations running or waiting for one of the node's parallel slots. */
    inflight: () => engine.inflight(),
    queued: () => engine.queued(),
    loaded: () => store.loadedNames(),
    set (partial: Partial<FakeOllamaOptions>) {
      Object.assign(options, partial)
      if (partial.models) store.reset()
    },
    failNext: (fault: FakeFault, times = 1) => faults.failNext(fault, times),
    /** Until heal(). A refuse stops listening, so connections get ECONNREFUSED. */
    async fail (fault: FakeFault) {
      faults.fail(fault)
      if (fault.kind === 'refuse') await cutAll()
    },
    async heal () {
      faults.heal()
      await listen()
    },
    kill: cutAll,
    /** Back on the same port with the configured models (loaded ones loaded again) and no faults. */
    async restart () {
      await cutAll()
      faults.heal()
      store.reset()
      await listen()
    },
    close: cutAll
  }
}

export type FakeOllama = Awaited<ReturnType<typeof startFakeOllama>>
