// The model endpoints over real fake Ollama nodes, with a small deterministic mesh of this file's own (the
// first node that has the model and was not tried yet), so that failover and outcomes can be driven exactly.
// The real mesh is exercised through createApp in api-app.int.test.ts.
import { createServer, type Server } from 'node:http'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { uuidv7, type Role } from '@robbie/contracts'
import { createService, loadConfig, type VerifyApiKey } from '@robbie/service-kit'
import { buildTestApp, captureLogs, mintAccessToken, startFakeOllama, testContext, type FakeOllama, type TestAppContext } from '@robbie/testing'
import { configSchema, type Config } from '../src/config.js'
import { ModelNotFound, NoNodes } from '../src/modules/mesh/mesh.errors.js'
import type { Lease, Mesh, RouteRequest } from '../src/modules/mesh/mesh.types.js'
import { registerDecisions, registerModelEndpoints } from '../src/modules/proxy/index.js'

export const MODEL = 'llama3.2:3b'
const serviceDir = join(import.meta.dirname, '..')

export interface TestNode { id: string, name: string, fake: FakeOllama, models: string[], warm: boolean }
export interface LeaseRecord { node: string, request: RouteRequest, outcome?: 'succeeded' | 'failed', result?: Record<string, unknown> }

export async function startNode (name: string, opts: Parameters<typeof startFakeOllama>[0] = {}): Promise<TestNode> {
  const fake = await startFakeOllama({ models: [{ name: MODEL, sizeMb: 2000, loaded: true }], tokensPerSecond: 2000, ...opts })
  return { id: uuidv7(), name, fake, models: (opts.models ?? [{ name: MODEL }]).map((m) => m.name), warm: true }
}

/** First node (in list order) that has the model and was not excluded; refusals scripted with `refuseNext`. */
export function createTestMesh (nodes: TestNode[]) {
  const leases: LeaseRecord[] = []
  const refusals: Error[] = []
  const mesh: Mesh = {
    resolveModel: (model) => (model === 'default' ? MODEL : model),
    hasNodes: () => nodes.length > 0,
    catalogue: () => ({
      models: [...new Set(nodes.flatMap((n) => n.models))].map((name) => ({
        name, sizeMb: 2000, nodes: nodes.filter((n) => n.models.includes(name)).map((n) => n.name), loadedOn: nodes.filter((n) => n.warm && n.models.includes(name)).map((n) => n.name), details: { format: 'gguf', family: 'llama' }, digest: 'abc', modifiedAt: '2025-01-01T00:00:00.000Z'
      })),
      loaded: nodes.filter((n) => n.warm).flatMap((n) => n.models.map((model) => ({ model, node: n.name, sizeMb: 2000, expiresAt: '2025-01-01T00:05:00.000Z' })))
    }),
    async acquire (request: RouteRequest): Promise<Lease> {
      const refusal = refusals.shift()
      if (refusal) throw refusal
      if (!nodes.some((n) => n.models.includes(request.model))) throw new ModelNotFound(request.model)
      const node = nodes.find((n) => n.models.includes(request.model) && !(request.exclude ?? []).includes(n.id))
      if (!node) throw NoNodes(1, 'No other node')
      const record: LeaseRecord = { node: node.name, request }
      leases.push(record)
      const candidates = nodes.map((n) => ({ node: n.name, eligible: n === node, score: n === node ? 120 : 0, components: { warm: n.warm ? 1 : 0, affinity: 0, speed: 0.5, load: 0, fit: 1, errors: 0 } }))
      return {
        nodeId: node.id,
        nodeName: node.name,
        baseUrl: node.fake.url,
        score: 120,
        queueMs: 3,
        candidates,
        succeeded: (result) => { record.outcome = 'succeeded'; record.result = result },
        failed: (result) => { record.outcome = 'failed'; record.result = result }
      }
    }
  }
  return { mesh, leases, refuseNext: (err: Error) => { refusals.push(err) } }
}

export interface ProxyApp {
  app: FastifyInstance
  url: string
  config: Config
  ctx: TestAppContext
  logs: ReturnType<typeof captureLogs>
}

/** Short timeouts so that failover and stalls happen within a test; the app listens on a real port. */
export const FAST_TIMEOUTS = {
  ROBBIE_GPU_CONNECT_TIMEOUT_MS: '500',
  ROBBIE_GPU_FIRST_TOKEN_WARM_MS: '700',
  ROBBIE_GPU_FIRST_TOKEN_COLD_MS: '900',
  ROBBIE_GPU_STALL_MS: '400',
  ROBBIE_GPU_REQUEST_TIMEOUT_MS: '20000'
}

export async function buildProxyApp (mesh: Mesh, opts: { env?: Record<string, string>, verifyApiKey?: VerifyApiKey } = {}): Promise<ProxyApp> {
  const ctx = await testContext('gpu-coordinator', { ROBBIE_RATE_LIMIT_MULTIPLIER: '1000', ...FAST_TIMEOUTS, ...opts.env })
  const config = loadConfig(configSchema, ctx.env)
  const logs = captureLogs()
  const app = await buildTestApp(async () => {
    const app = await createService({ name: 'gpu-coordinator', config, serviceDir, deps: { logDestination: logs.stream, ...(opts.verifyApiKey ? { verifyApiKey: opts.verifyApiKey } : {}) } })
    await registerModelEndpoints(app, { mesh, config })
    await registerDecisions(app)
    return app
  })
  const url = await app.listen({ port: 0, host: '127.0.0.1' })
  return { app, url, config, ctx, logs }
}

export async function bearer (role: Role, extra: { sub?: string, act?: string } = {}): Promise<Record<string, string>> {
  return { authorization: `Bearer ${await mintAccessToken({ role, ...extra })}` }
}

/** auth's GET /internal/auth/company, as far as the quota reads it. */
export async function startFakeAuth (company: { memberGpuSecondsPerDay: number, timeZone?: string }): Promise<{ url: string, calls: () => number, close: () => Promise<void> }> {
  let calls = 0
  const server: Server = createServer((req, res) => {
    if (req.url !== '/internal/auth/company' || !req.headers.authorization?.startsWith('Bearer robbie_svc_')) { res.writeHead(404).end(); return }
    calls++
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ timeZone: 'UTC', ...company }))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    calls: () => calls,
    close: async () => { await new Promise((resolve) => server.close(resolve)) }
  }
}

/** The decision row of a request, once the background write landed. */
export async function decisionOf (app: FastifyInstance, requestId: string): Promise<Record<string, unknown> | undefined> {
  const { rows } = await app.db.query('SELECT request_id, model, class, identity, chosen, failovers, outcome, ttft_ms, tokens_out, duration_ms, candidates FROM decisions WHERE request_id = $1', [requestId])
  return rows[0] as Record<string, unknown> | undefined
}
