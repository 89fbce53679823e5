// Secret reveal through nginx with 10,000 secrets stored (issue 4's benchmark; CONVENTIONS.md §8). Load: wrk.
//   (a) POST /api/secrets/entries/bench/<random of 10,000>/reveal — audited before the value is returned, so
//       every request appends to the audit chain (one transaction under the chain's lock) and decrypts a value
//   (b) POST …/reveal of one and the same secret: (a) without the spread over 10,000 rows
//   (c) GET /api/secrets/entries/bench/<random of 10,000>: the metadata of the same entries, no decryption and no
//       audit row: the baseline of a secrets route that needs the same identity and lookup
// Seeding: 10,000 secrets `bench/s00000`…`s09999` (global scope, 40-character values) through the import path
// (scripts/secrets-import.ts: the service layer in-process, as the secrets runtime role, audited system:cli),
// from one generated .env file. Not timed.
// The bench fleet's owner comes from ROBBIE_OWNER_EMAIL / ROBBIE_OWNER_PASSWORD (set here, a random password);
// the JWT from POST /api/auth/login through the gateway, renewed before every run. wrk sends POST with a Lua
// script (-s, written to a temporary file per run: method, body, the random path, the Authorization header).
// Limits raised by config for the bench: ROBBIE_RATE_LIMIT_MULTIPLIER=100000 (reveals are 30/min per identity
// by default), ROBBIE_GATEWAY_RATE / ROBBIE_GATEWAY_BURST=100000 (nginx limit_req). Any non-2xx fails the run.
// Starts a fleet of its own (own ports, database robbie_bench_<pid>, Redis prefix bench:<pid>:, run dir) and
// removes all of it at the end, also on errors. The shared Postgres and Redis are only used.
//   node --import tsx bench/secrets.ts      (npm run bench -- secrets)
//   env: BENCH_PORT_BASE (5000), BENCH_DURATION_S (10), BENCH_REPS (3), BENCH_THREADS (2), BENCH_CONNECTIONS (50),
//        BENCH_SECRETS (10000), DATABASE_URL (admin, default postgres@127.0.0.1:5432), REDIS_URL
import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { roleUrl } from '../scripts/lib/db-roles.mjs'
import { createBenchFleet } from './lib/fleet.js'
import { benchSettings, machineLine, num, root } from './lib/machine.js'
import { ensureWrk, parseWrk, summarize, wrkVersion, type WrkResult } from './lib/wrk.js'

const run = promisify(execFile)
const S = benchSettings()
const N = num('BENCH_SECRETS', 10000)
const RATE = 100000
const MULTIPLIER = 100000
const OWNER_EMAIL = 'owner@bench.robbie.local'
const OWNER_PASSWORD = randomBytes(24).toString('base64url')
const LIMITS = `ROBBIE_RATE_LIMIT_MULTIPLIER=${MULTIPLIER} (every service's limits; reveals are 30/min per identity by default), ROBBIE_GATEWAY_RATE=${RATE} and ROBBIE_GATEWAY_BURST=${RATE} (nginx limit_req)`

const fleet = createBenchFleet({
  portBase: S.portBase,
  env: {
    ROBBIE_GATEWAY_RATE: String(RATE),
    ROBBIE_GATEWAY_BURST: String(RATE),
    ROBBIE_RATE_LIMIT_MULTIPLIER: String(MULTIPLIER),
    ROBBIE_CREATE_OWNER: 'true',
    ROBBIE_OWNER_EMAIL: OWNER_EMAIL,
    ROBBIE_OWNER_PASSWORD: OWNER_PASSWORD
  }
})
const tmp = mkdtempSync(join(tmpdir(), 'robbie-bench-secrets-'))
const nameOf = (i: number) => `s${String(i).padStart(5, '0')}`

async function call (method: string, path: string, opts: { token?: string, body?: unknown, expect: number }): Promise<Record<string, unknown>> {
  const res = await fetch(`${fleet.gateway}${path}`, {
    method,
    headers: { ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}), ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {})
  })
  const text = await res.text()
  // never print a reveal's body: it holds a value (bench values, but the habit matters)
  if (res.status !== opts.expect) throw new Error(`${method} ${path} answered ${res.status} (expected ${opts.expect}): ${path.endsWith('/reveal') ? '' : text.slice(0, 300)}`)
  return text ? JSON.parse(text) as Record<string, unknown> : {}
}

let token = ''
async function login (): Promise<void> {
  const reply = await call('POST', '/api/auth/login', { body: { email: OWNER_EMAIL, password: OWNER_PASSWORD }, expect: 200 })
  if (typeof reply.accessToken !== 'string') throw new Error('login: no access token in the reply')
  token = reply.accessToken
}

/** 10,000 secrets through scripts/secrets-import.ts (one .env file), as the bench fleet's secrets runtime role. */
async function seed (): Promise<number> {
  const file = join(tmp, 'bench.env')
  const lines = Array.from({ length: N }, (_, i) => `${nameOf(i).toUpperCase()}=${randomBytes(30).toString('base64url')}`)
  writeFileSync(file, lines.join('\n') + '\n', { mode: 0o600 })
  const adminUrl = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres'
  const keys = join(fleet.runDir, 'keys')
  const started = Date.now()
  await run(process.execPath, ['--import', 'tsx', join(root, 'scripts', 'secrets-import.ts'), '--file', file, '--service', 'bench'], {
    cwd: root,
    maxBuffer: 64 * 1024 * 1024,
    env: {
      ...process.env,
      DATABASE_URL: roleUrl(adminUrl, fleet.dbName, 'robbie_secrets', fleet.runDir),
      ROBBIE_RUN_DIR: fleet.runDir,
      ROBBIE_SECRETS_MASTER_KEY_FILE: join(keys, 'secrets-master.key'),
      ROBBIE_AUDIT_HMAC_KEY_FILE: join(keys, 'audit-hmac')
    }
  })
  return Date.now() - started
}

interface Scenario { name: string, route: string, lua: () => string }

const luaHeaders = () => `wrk.headers["Authorization"] = "Bearer ${token}"\nwrk.headers["Content-Type"] = "application/json"\n`
const revealRandom = (): string => `${luaHeaders()}math.randomseed(os.time() + math.floor(os.clock() * 1e6))
request = function ()
  return wrk.format("POST", string.format("/api/secrets/entries/bench/s%05d/reveal?scope=global", math.random(0, ${N - 1})), nil, '{"reason":"bench"}')
end
`
const revealOne = (): string => `${luaHeaders()}wrk.method = "POST"\nwrk.path = "/api/secrets/entries/bench/s00042/reveal?scope=global"\nwrk.body = '{"reason":"bench"}'\n`
const metadataRandom = (): string => `wrk.headers["Authorization"] = "Bearer ${token}"\nmath.randomseed(os.time() + math.floor(os.clock() * 1e6))
request = function ()
  return wrk.format("GET", string.format("/api/secrets/entries/bench/s%05d?scope=global", math.random(0, ${N - 1})))
end
`

async function wrkLua (s: Scenario, seconds: number): Promise<WrkResult> {
  await login() // a fresh JWT (15 min) for every run
  const script = join(tmp, 'scenario.lua')
  writeFileSync(script, s.lua(), { mode: 0o600 })
  const { stdout } = await run('wrk', ['-t', String(S.threads), '-c', String(S.connections), '-d', `${seconds}s`, '--latency', '-s', script, fleet.gateway])
  const r = parseWrk(stdout)
  if (r.non2xx > 0) throw new Error(`${s.name}: ${r.non2xx} of ${r.requests} responses were not 2xx`)
  return r
}

ensureWrk()
try {
  console.log(`• bench fleet limits raised by config: ${LIMITS}`)
  await fleet.start()
  const seedMs = await seed()
  console.log(`• ${N} secrets imported through scripts/secrets-import.ts in ${(seedMs / 1000).toFixed(1)} s (not timed below)`)
  await login()
  // every scenario answers 200 once before any load
  await call('POST', '/api/secrets/entries/bench/s00042/reveal?scope=global', { token, body: { reason: 'bench' }, expect: 200 })
  await call('GET', `/api/secrets/entries/bench/${nameOf(N - 1)}?scope=global`, { token, expect: 200 })

  const scenarios: Scenario[] = [
    { name: `(a) reveal · random of ${N}`, route: 'POST /api/secrets/entries/bench/:name/reveal', lua: revealRandom },
    { name: '(b) reveal · one secret', route: 'POST /api/secrets/entries/bench/s00042/reveal', lua: revealOne },
    { name: `(c) metadata · random of ${N}`, route: 'GET /api/secrets/entries/bench/:name', lua: metadataRandom }
  ]
  for (const s of scenarios) await wrkLua(s, S.warmupS)
  const results = new Map<string, WrkResult[]>(scenarios.map((s) => [s.name, []]))
  for (let rep = 0; rep < S.reps; rep++) {
    for (let i = 0; i < scenarios.length; i++) {
      const s = scenarios[(i + rep) % scenarios.length]!
      const r = await wrkLua(s, S.durationS)
      results.get(s.name)!.push(r)
      console.log(`  run ${rep + 1} ${s.name.padEnd(32)} ${r.rps.toFixed(0).padStart(6)} req/s  p50 ${r.p50.toFixed(2)} ms  p99 ${r.p99.toFixed(2)} ms${r.errors ? `  errors ${r.errors}` : ''}`)
    }
  }
  const rows = summarize(scenarios.map((s) => ({ name: s.name, url: fleet.gateway })), results)
  const base = rows[2]!
  console.log(`\nSecret reveal through nginx, ${N} secrets stored — ${machineLine()}`)
  console.log(`${wrkVersion()}: ${S.threads} threads, ${S.connections} connections, ${S.durationS} s per run, ${S.warmupS} s warm-up, ${S.reps} interleaved runs per scenario; medians; POST bodies and the JWT through a wrk Lua script (-s)`)
  console.log(`bench fleet: limits raised by config for the bench: ${LIMITS}; LOG_LEVEL=warn; wrk, nginx and the services share the same cores`)
  console.log('\n| scenario | route | n (requests) | median p50 ms | median p99 ms | median req/s | req/s ÷ (c) | p50 ÷ (c) | bytes/resp | errors |')
  console.log('|---|---|--:|--:|--:|--:|--:|--:|--:|--:|')
  scenarios.forEach((s, i) => {
    const r = rows[i]!
    console.log(`| ${s.name} | \`${s.route}\` | ${r.n} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${Math.round(r.rps)} | ${(r.rps / base.rps).toFixed(2)} | ${(r.p50 / base.p50).toFixed(2)} | ${Math.round(r.bytes)} | ${r.errors} |`)
  })
  console.log('\nn = requests of all measured runs; errors = non-2xx + socket errors (a non-2xx stops the bench); bytes/resp from wrk\'s "read" total')
  console.log(`single runs (req/s): ${rows.map((r) => `${r.name.split(' ')[0]!} ${r.runs.map((x) => Math.round(x.rps)).join(' / ')}`).join('; ')}`)
  if (rows.some((r) => r.errors > 0)) {
    console.error('\nbench secrets FAILED: socket errors during the measured runs (see the errors column)')
    process.exitCode = 1
  }
} finally {
  rmSync(tmp, { recursive: true, force: true })
  await fleet.cleanUp()
}
