// The cost of a credential on a request, through nginx, in one run (CONVENTIONS.md §8). Load: wrk.
//   (a) GET /api/auth/me with a JWT access token          (EdDSA verify + the Redis denied-session check)
//   (b) GET /api/auth/me with a personal API key          (revoked-set check + the kit's 30 s key cache; auth
//                                                           verifies a missed key in-process)
//   (c) GET /api/auth/setup without a credential: the baseline. It is a DIFFERENT route of similar work (a
//       public status read: two small queries where /me makes one), because a route that needs an identity
//       cannot be called without one.
//   (d) GET /api/priorities/admin/dead-letters?limit=1 (roles owner/admin; one Redis XREVRANGE) with a JWT and
//       with the same API key: a service other than auth, which verifies a key it has not cached by calling
//       auth's POST /internal/auth/keys/verify and then caches the identity for at most 30 s.
// The bench fleet's owner comes from ROBBIE_OWNER_EMAIL / ROBBIE_OWNER_PASSWORD (set here, a random password);
// the JWT comes from POST /api/auth/login through the gateway (renewed before it could expire during a run),
// the key from POST /api/auth/keys with that JWT (scopes auth:read; its identity carries the owner's role).
// Limits raised by config for the bench: ROBBIE_RATE_LIMIT_MULTIPLIER=100000 (the services' limits),
// ROBBIE_GATEWAY_RATE / ROBBIE_GATEWAY_BURST=100000 (nginx limit_req). Any non-2xx response fails the run.
// Starts a fleet of its own (own ports, database robbie_bench_<pid>, Redis prefix bench:<pid>:, run dir) and
// removes all of it at the end, also on errors. The shared Postgres and Redis are only used.
//   node --import tsx bench/auth.ts      (npm run bench -- auth)
//   env: BENCH_PORT_BASE (5000), BENCH_DURATION_S (10), BENCH_REPS (3), BENCH_THREADS (2), BENCH_CONNECTIONS (50),
//        DATABASE_URL (admin, default postgres@127.0.0.1:5432), REDIS_URL (default 127.0.0.1:6379)
import { randomBytes } from 'node:crypto'
import { createBenchFleet } from './lib/fleet.js'
import { benchSettings, machineLine } from './lib/machine.js'
import { ensureWrk, runInterleaved, summarize, wrkVersion, type Scenario } from './lib/wrk.js'

const S = benchSettings()
const RATE = 100000
const MULTIPLIER = 100000
const OWNER_EMAIL = 'owner@bench.robbie.local'
const OWNER_PASSWORD = randomBytes(24).toString('base64url')
const LIMITS = `ROBBIE_RATE_LIMIT_MULTIPLIER=${MULTIPLIER} (every service's limits), ROBBIE_GATEWAY_RATE=${RATE} and ROBBIE_GATEWAY_BURST=${RATE} (nginx limit_req)`

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
const api = (path: string) => `${fleet.gateway}${path}`

async function call (method: string, path: string, opts: { token?: string, body?: unknown, expect: number }): Promise<Record<string, unknown>> {
  const res = await fetch(api(path), {
    method,
    headers: {
      ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
      ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {})
    },
    ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {})
  })
  const text = await res.text()
  if (res.status !== opts.expect) throw new Error(`${method} ${path} answered ${res.status} (expected ${opts.expect}): ${text.slice(0, 500)}`)
  return text ? JSON.parse(text) as Record<string, unknown> : {}
}

// ---- credentials ----
let jwt = { token: '', until: 0 }
async function login (): Promise<void> {
  const reply = await call('POST', '/api/auth/login', { body: { email: OWNER_EMAIL, password: OWNER_PASSWORD }, expect: 200 })
  const expiresIn = Number(reply.expiresIn)
  if (typeof reply.accessToken !== 'string' || !(expiresIn > 0)) throw new Error(`login: unexpected reply ${JSON.stringify(reply).slice(0, 200)}`)
  jwt = { token: reply.accessToken, until: Date.now() + expiresIn * 1000 }
}
/** The JWT, renewed when it would not outlive the next run with a minute to spare (it lives 15 min). */
async function jwtHeader (): Promise<string[]> {
  if (Date.now() + (Math.max(S.durationS, S.warmupS) + 60) * 1000 > jwt.until) {
    await login()
    console.log('  (logged in again: a fresh JWT for the next runs)')
  }
  return [`Authorization: Bearer ${jwt.token}`]
}

ensureWrk()
try {
  console.log(`• bench fleet limits raised by config: ${LIMITS}`)
  await fleet.start()

  await login()
  const created = await call('POST', '/api/auth/keys', { token: jwt.token, body: { name: 'bench', scopes: ['auth:read'], expiresInDays: 1 }, expect: 201 })
  if (typeof created.key !== 'string') throw new Error('POST /api/auth/keys: no key in the reply')
  const keyHeader = [`Authorization: Bearer ${created.key}`]
  console.log(`• owner ${OWNER_EMAIL} logged in through the gateway (JWT, ${Math.round((jwt.until - Date.now()) / 60000)} min); API key ${String(created.id)} created (scopes auth:read)`)

  const me = '/api/auth/me'
  const setup = '/api/auth/setup'
  const dead = '/api/priorities/admin/dead-letters?limit=1'
  const scenarios: Array<Scenario & { label: string, route: string, credential: string }> = [
    { label: '(a)', name: '(a) auth me · JWT', route: `GET ${me}`, credential: 'JWT', url: api(me), headers: jwtHeader },
    { label: '(b)', name: '(b) auth me · API key', route: `GET ${me}`, credential: 'API key', url: api(me), headers: () => keyHeader },
    { label: '(c)', name: '(c) auth setup · none', route: `GET ${setup}`, credential: 'none (baseline)', url: api(setup) },
    { label: '(d1)', name: '(d1) priorities · JWT', route: `GET ${dead}`, credential: 'JWT', url: api(dead), headers: jwtHeader },
    { label: '(d2)', name: '(d2) priorities · API key', route: `GET ${dead}`, credential: 'API key', url: api(dead), headers: () => keyHeader }
  ]
  // One request each before any load: every scenario must answer 200 with its credential.
  for (const s of scenarios) {
    const token = (await s.headers?.())?.[0]?.replace(/^Authorization: Bearer /, '')
    await call('GET', s.url.slice(fleet.gateway.length), { ...(token ? { token } : {}), expect: 200 })
  }

  const results = await runInterleaved(scenarios, { ...S, failOnNon2xx: true })
  const rows = summarize(scenarios, results)
  const base = rows.find((r) => r.name.startsWith('(c)'))!

  console.log(`\nCredential cost through nginx — ${machineLine()}`)
  console.log(`${wrkVersion()}: ${S.threads} threads, ${S.connections} connections, ${S.durationS} s per run, ${S.warmupS} s warm-up, ${S.reps} interleaved runs per scenario; medians; the credential sent with wrk -H 'Authorization: Bearer …'`)
  console.log(`bench fleet: limits raised by config for the bench: ${LIMITS}; LOG_LEVEL=warn; wrk, nginx and the services share the same cores`)
  console.log('(c) is the baseline but a DIFFERENT route of similar work (public GET /api/auth/setup): a route that requires an identity cannot run without one')
  console.log('\n| scenario | route | credential | n (requests) | median p50 ms | median p99 ms | median req/s | req/s ÷ (c) | p50 ÷ (c) | bytes/resp | errors |')
  console.log('|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|')
  scenarios.forEach((s, i) => {
    const r = rows[i]!
    console.log(`| ${s.label} | \`${s.route}\` | ${s.credential} | ${r.n} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${Math.round(r.rps)} | ${(r.rps / base.rps).toFixed(2)} | ${(r.p50 / base.p50).toFixed(2)} | ${Math.round(r.bytes)} | ${r.errors} |`)
  })
  console.log('\nn = requests of all measured runs; errors = non-2xx responses + socket errors (must be 0; a non-2xx response stops the bench); bytes/resp from wrk\'s "read" total')
  console.log(`single runs (req/s): ${rows.map((r) => `${r.name.split(' ')[0]!} ${r.runs.map((x) => Math.round(x.rps)).join(' / ')}`).join('; ')}`)
  const byName = new Map(rows.map((r) => [r.name.split(' ')[0]!, r]))
  const pair = (x: string, y: string) => `${x} ÷ ${y}: req/s ${(byName.get(x)!.rps / byName.get(y)!.rps).toFixed(2)}, p50 ${(byName.get(x)!.p50 / byName.get(y)!.p50).toFixed(2)}`
  console.log(`pairs on the same route: ${pair('(b)', '(a)')}; ${pair('(d2)', '(d1)')}`)
  if (rows.some((r) => r.errors > 0)) {
    console.error('\nbench auth FAILED: socket errors during the measured runs (see the errors column)')
    process.exitCode = 1
  }
} finally {
  await fleet.cleanUp()
}
