// Requests/s and latency of GET /api/auth/healthz: (a) through nginx, (b) on the service's own port, and
// (c) a bare Fastify server in this process with an equivalent JSON route, as the baseline. Load: wrk.
// Starts a bench fleet of its own (own ports, database, Redis prefix and run dir), stops it and removes its
// database (robbie_bench_*) and Redis keys (bench:<id>:*) at the end. The shared servers are only used.
//   node --import tsx bench/healthz.ts      (npm run bench -- healthz)
//   env: BENCH_PORT_BASE (5000), BENCH_DURATION_S (10), BENCH_REPS (3), BENCH_THREADS (2), BENCH_CONNECTIONS (50),
//        DATABASE_URL (admin, default postgres@127.0.0.1:5432), REDIS_URL (default 127.0.0.1:6379)
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { createBenchFleet } from './lib/fleet.js'
import { benchSettings, machineLine, root } from './lib/machine.js'
import { ensureWrk, runInterleaved, summarize, wrkVersion } from './lib/wrk.js'

const S = benchSettings()
const RATE = 100000
// The kit's own limits (general: 40 requests per 2 s per address) would answer most of the load with 429.
const MULTIPLIER = 100000
const fleet = createBenchFleet({
  portBase: S.portBase,
  env: { ROBBIE_GATEWAY_RATE: String(RATE), ROBBIE_GATEWAY_BURST: String(RATE), ROBBIE_RATE_LIMIT_MULTIPLIER: String(MULTIPLIER) }
})

// ---- the baseline: a bare Fastify with the same route and response schema, nothing else ----
interface BareApp {
  get: (path: string, opts: object, handler: () => Promise<object>) => void
  listen: (opts: { host: string, port: number }) => Promise<string>
  close: () => Promise<void>
}
async function startBare (): Promise<{ app: BareApp, url: string }> {
  // fastify is a dependency of the kit, not of the root: resolve it from there.
  const path = createRequire(join(root, 'packages', 'service-kit', 'package.json')).resolve('fastify')
  const { default: Fastify } = await import(pathToFileURL(path).href) as { default: (opts: object) => BareApp }
  const app = Fastify({ logger: false })
  const started = Date.now()
  app.get('/api/auth/healthz', {
    schema: {
      response: {
        200: {
          type: 'object',
          required: ['status', 'service', 'version', 'uptimeS'],
          properties: { status: { const: 'ok' }, service: { type: 'string' }, version: { type: 'string' }, uptimeS: { type: 'integer' } }
        }
      }
    }
  }, async () => ({ status: 'ok', service: 'auth', version: '0.1.0', uptimeS: Math.floor((Date.now() - started) / 1000) }))
  const address = await app.listen({ host: '127.0.0.1', port: 0 })
  return { app, url: `${address}/api/auth/healthz` }
}

function header (): void {
  console.log(`\nGET /api/auth/healthz — ${machineLine()}`)
  console.log(`${wrkVersion()}: ${S.threads} threads, ${S.connections} connections, ${S.durationS} s per run, ${S.warmupS} s warm-up, ${S.reps} interleaved runs per scenario; medians`)
  console.log(`bench fleet: limits raised by config for the bench: nginx limit_req (ROBBIE_GATEWAY_RATE=${RATE}, ROBBIE_GATEWAY_BURST=${RATE}) and the services' (ROBBIE_RATE_LIMIT_MULTIPLIER=${MULTIPLIER}), LOG_LEVEL=warn; wrk, nginx and the services share the same cores`)
}

ensureWrk()
const bare = await startBare()
try {
  await fleet.start()
  const scenarios = [
    { name: 'nginx → auth', url: `${fleet.gateway}/api/auth/healthz` },
    { name: 'auth direct', url: `http://127.0.0.1:${S.portBase + 101}/api/auth/healthz` },
    { name: 'bare Fastify', url: bare.url }
  ]
  for (const s of scenarios) {
    const res = await fetch(s.url)
    if (res.status !== 200) throw new Error(`${s.name}: ${s.url} answered ${res.status}`)
  }
  const results = await runInterleaved(scenarios, S)
  header()
  const rows = summarize(scenarios, results)
  const base = rows.find((r) => r.name === 'bare Fastify')!
  console.log('\n| scenario | n (requests) | median p50 ms | median p99 ms | median req/s | req/s ÷ bare | p50 ÷ bare | bytes/resp | errors |')
  console.log('|---|--:|--:|--:|--:|--:|--:|--:|--:|')
  for (const r of rows) {
    console.log(`| ${r.name} | ${r.n} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${Math.round(r.rps)} | ${(r.rps / base.rps).toFixed(2)} | ${(r.p50 / base.p50).toFixed(2)} | ${Math.round(r.bytes)} | ${r.errors} |`)
  }
  console.log('\nn = requests of all measured runs; errors = non-2xx responses + socket errors (must be 0); bytes/resp from wrk\'s "read" total')
  if (rows.some((r) => r.errors > 0)) process.exitCode = 1
} finally {
  await bare.app.close()
  await fleet.cleanUp()
}
