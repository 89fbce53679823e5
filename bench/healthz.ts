// Requests/s and latency of GET /api/auth/healthz: (a) through nginx, (b) on the service's own port, and
// (c) a bare Fastify server in this process with an equivalent JSON route, as the baseline. Load: wrk.
// Starts a bench fleet of its own (own ports, database, Redis prefix and run dir), stops it and removes its
// database (robbie_bench_*) and Redis keys (bench:<id>:*) at the end. The shared servers are only used.
//   node --import tsx bench/healthz.ts      (npm run bench -- healthz)
//   env: BENCH_PORT_BASE (5000), BENCH_DURATION_S (10), BENCH_REPS (3), BENCH_THREADS (2), BENCH_CONNECTIONS (50),
//        DATABASE_URL (admin, default postgres@127.0.0.1:5432), REDIS_URL (default 127.0.0.1:6379)
import { execFile, spawnSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { promisify } from 'node:util'
import { dropDatabase } from '@robbie/db'
import { createRedis } from '@robbie/bus'

const run = promisify(execFile)
const root = join(import.meta.dirname, '..')
const num = (key: string, fallback: number) => Number(process.env[key] || fallback)
const PORT_BASE = num('BENCH_PORT_BASE', 5000)
const DURATION_S = num('BENCH_DURATION_S', 10)
const REPS = num('BENCH_REPS', 3)
const THREADS = num('BENCH_THREADS', 2)
const CONNECTIONS = num('BENCH_CONNECTIONS', 50)
const WARMUP_S = 3
const RATE = 100000
const adminUrl = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres'
const redisUrl = process.env.REDIS_URL || 'redis://127.0.0.1:6379'
const id = String(process.pid)
const dbName = `robbie_bench_${id}`
const prefix = `bench:${id}:`
const runDir = mkdtempSync(join(tmpdir(), 'robbie-bench-'))

const fleetEnv = {
  ...process.env,
  ROBBIE_PORT_BASE: String(PORT_BASE),
  ROBBIE_SERVICE_PORT_BASE: String(PORT_BASE + 100),
  ROBBIE_DB_NAME: dbName,
  ROBBIE_REDIS_PREFIX: prefix,
  ROBBIE_RUN_DIR: runDir,
  ROBBIE_GATEWAY_RATE: String(RATE),
  ROBBIE_GATEWAY_BURST: String(RATE),
  DATABASE_URL: adminUrl,
  REDIS_URL: redisUrl,
  LOG_LEVEL: 'warn'
}

// ---- wrk ----
function ensureWrk (): void {
  if (!spawnSync('wrk', ['-v']).error) return
  if (process.getuid?.() === 0) {
    console.log('• installing wrk (apt-get install -y wrk)')
    if (spawnSync('apt-get', ['install', '-y', 'wrk'], { stdio: 'inherit' }).status === 0) return
  }
  console.error('wrk is missing: install it (Debian: sudo apt-get install -y wrk) and run again')
  process.exit(1)
}

interface WrkResult { requests: number, rps: number, p50: number, p99: number, bytes: number, errors: number }

const MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60000 }
const SIZE: Record<string, number> = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3 }

function parseWrk (out: string): WrkResult {
  const ms = (p: string) => {
    const m = new RegExp(`^\\s*${p}%\\s+([\\d.]+)(us|ms|s|m)\\s*$`, 'm').exec(out)
    if (!m) throw new Error(`no ${p}% latency in wrk output:\n${out}`)
    return Number(m[1]) * (MS[m[2] ?? ''] ?? NaN)
  }
  const total = /(\d+) requests in [\d.]+\w+, ([\d.]+)(B|KB|MB|GB) read/.exec(out)
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(out)
  if (!total || !rps) throw new Error(`unexpected wrk output:\n${out}`)
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out)
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(out)
  const errors = Number(non2xx?.[1] ?? 0) + (socket ? socket.slice(1).reduce((a, b) => a + Number(b), 0) : 0)
  const requests = Number(total[1])
  return { requests, rps: Number(rps[1]), p50: ms('50'), p99: ms('99'), bytes: Number(total[2]) * (SIZE[total[3] ?? ''] ?? NaN) / requests, errors }
}

async function wrk (url: string, seconds: number): Promise<WrkResult> {
  const { stdout } = await run('wrk', ['-t', String(THREADS), '-c', String(CONNECTIONS), '-d', `${seconds}s`, '--latency', url])
  return parseWrk(stdout)
}

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

// ---- fleet ----
async function node (script: string): Promise<void> {
  const child = execFile(process.execPath, [join(root, 'scripts', script)], { cwd: root, env: fleetEnv })
  child.stdout?.pipe(process.stdout)
  child.stderr?.pipe(process.stderr)
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
  if (code !== 0) throw new Error(`scripts/${script} exited with ${code}`)
}

let cleaned = false
async function cleanUp (): Promise<void> {
  if (cleaned) return
  cleaned = true
  console.log('\n• cleaning up: stopping the bench fleet, dropping its database and Redis keys')
  await node('stop.mjs').catch((err: Error) => console.error(err.message))
  if (dbName.startsWith('robbie_bench_')) await dropDatabase(adminUrl, dbName).catch((err: Error) => console.error(`drop ${dbName}: ${err.message}`))
  const r = createRedis({ url: redisUrl, prefix })
  try {
    await r.ready()
    let cursor = '0'
    do {
      const [next, keys] = await r.client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500)
      cursor = next
      if (keys.length > 0) await r.client.unlink(...keys)
    } while (cursor !== '0')
  } catch (err) {
    console.error(`Redis clean-up of ${prefix}*: ${(err as Error).message}`)
  } finally {
    await r.close()
  }
  rmSync(runDir, { recursive: true, force: true })
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => { void cleanUp().finally(() => process.exit(130)) })
}

// ---- report ----
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2
}
const sh = (cmd: string, args: string[]) => spawnSync(cmd, args, { cwd: root, encoding: 'utf8' }).stdout?.trim() ?? ''

function header (): void {
  const commit = sh('git', ['rev-parse', '--short', 'HEAD'])
  const dirty = sh('git', ['status', '--porcelain']) !== '' ? ' (working tree has uncommitted changes)' : ''
  const cpu = cpus()
  console.log(`\nGET /api/auth/healthz — commit ${commit}${dirty}, Node ${process.version}, ${cpu[0]?.model ?? '?'} × ${cpu.length} cores`)
  console.log(`${sh('wrk', ['-v']).split('\n')[0] || 'wrk'}: ${THREADS} threads, ${CONNECTIONS} connections, ${DURATION_S} s per run, ${WARMUP_S} s warm-up, ${REPS} interleaved runs per scenario; medians`)
  console.log(`bench fleet: nginx limit_req raised by config for the bench (ROBBIE_GATEWAY_RATE=${RATE}, ROBBIE_GATEWAY_BURST=${RATE}), LOG_LEVEL=warn; wrk, nginx and the services share the same cores`)
}

ensureWrk()
// Role passwords are derived from the checkout's db-secret and roles are cluster-wide: the fleet must use the same one.
const secret = join(root, '.run', 'keys', 'db-secret')
if (existsSync(secret)) {
  mkdirSync(join(runDir, 'keys'), { recursive: true, mode: 0o700 })
  copyFileSync(secret, join(runDir, 'keys', 'db-secret'))
}
const bare = await startBare()
try {
  console.log(`• starting a bench fleet: gateway :${PORT_BASE}, services :${PORT_BASE + 101}…, database ${dbName}, prefix ${prefix}, run dir ${runDir}`)
  await node('start.mjs')
  const scenarios = [
    { name: 'nginx → auth', url: `http://127.0.0.1:${PORT_BASE}/api/auth/healthz` },
    { name: 'auth direct', url: `http://127.0.0.1:${PORT_BASE + 101}/api/auth/healthz` },
    { name: 'bare Fastify', url: bare.url }
  ]
  for (const s of scenarios) {
    const res = await fetch(s.url)
    if (res.status !== 200) throw new Error(`${s.name}: ${s.url} answered ${res.status}`)
    await wrk(s.url, WARMUP_S)
  }
  const results = new Map<string, WrkResult[]>(scenarios.map((s) => [s.name, []]))
  for (let rep = 0; rep < REPS; rep++) {
    // Interleaved, in a rotating order, so that a noisy moment does not fall on one scenario only.
    for (let i = 0; i < scenarios.length; i++) {
      const s = scenarios[(i + rep) % scenarios.length]!
      const r = await wrk(s.url, DURATION_S)
      results.get(s.name)!.push(r)
      console.log(`  run ${rep + 1} ${s.name.padEnd(13)} ${r.rps.toFixed(0).padStart(7)} req/s  p50 ${r.p50.toFixed(2)} ms  p99 ${r.p99.toFixed(2)} ms${r.errors ? `  errors ${r.errors}` : ''}`)
    }
  }
  header()
  const rows = scenarios.map((s) => {
    const rs = results.get(s.name)!
    return {
      name: s.name,
      n: rs.reduce((a, r) => a + r.requests, 0),
      p50: median(rs.map((r) => r.p50)),
      p99: median(rs.map((r) => r.p99)),
      rps: median(rs.map((r) => r.rps)),
      bytes: median(rs.map((r) => r.bytes)),
      errors: rs.reduce((a, r) => a + r.errors, 0)
    }
  })
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
  await cleanUp()
}
