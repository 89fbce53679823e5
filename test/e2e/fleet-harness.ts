// A whole fleet of its own for end-to-end tests and browser tests (CONVENTIONS §4): started the way a developer
// does (`node scripts/start.mjs`) with its own gateway port, database, Redis prefix and run dir, so a developer's
// fleet on :3000 keeps running beside it. Rate limits are raised by config (ROBBIE_RATE_LIMIT_MULTIPLIER), and
// the owner gets a known password unless the fleet starts without one (the onboarding test reads the setup code).
import { execFile } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import net from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { dropDatabase } from '@robbie/db'
import { cleanRedisPrefix, testEnv } from '@robbie/testing'
import { dbSecret } from '../../scripts/lib/db-roles.mjs'
import { readFleet, type Fleet } from '../../scripts/lib/fleet.mjs'
import { isAlive, SUPERVISOR_MARKER, supervisorPidFile } from '../../scripts/lib/procs.mjs'

export const ROOT = resolve(import.meta.dirname, '..', '..')

export interface ScriptResult { code: number, output: string }

export interface FleetOptions {
  /** a short name for the database and Redis prefix: [a-z0-9_]{1,20} */
  name: string
  /** extra environment for every service (e.g. ROBBIE_GPU_NODES pointing at a fake Ollama node) */
  env?: Record<string, string>
  /** false: start without an owner; the first-run wizard's setup code is in `setupCode()` */
  createOwner?: boolean
}

export interface RunningFleet {
  /** http://localhost:<base>: browsers need `localhost` for the Secure refresh cookie */
  url: string
  base: number
  runDir: string
  env: NodeJS.ProcessEnv
  fleet: Fleet
  ownerEmail: string
  ownerPassword: string
  started: ScriptResult
  setupCode (): string
  /** POST /api/auth/login through the gateway → the access token and the refresh cookie. */
  login (email?: string, password?: string): Promise<{ accessToken: string, cookie: string, user: { id: string, role: string } }>
  /** fetch through the gateway with a bearer token; JSON in and out. */
  api (method: string, path: string, opts?: { token?: string, body?: unknown, headers?: Record<string, string> }): Promise<{ status: number, body: any, headers: Headers }>
  /** runs a root script (start.mjs, stop.mjs, robbie.mjs …) with the fleet's environment */
  script (name: string, timeoutMs?: number, args?: string[]): Promise<ScriptResult>
  stop (): Promise<void>
}

function canListen (port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer()
    server.once('error', () => resolve(false))
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)))
  })
}

/** A gateway port whose HTTPS port (+443) and service ports (base + 101 …) are free too. */
export async function freeBase (services: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const candidate = 4000 + 200 * Math.floor(Math.random() * 100)
    const ports = [candidate, candidate + 443, ...Array.from({ length: services }, (_, i) => candidate + 101 + i)]
    if ((await Promise.all(ports.map(canListen))).every(Boolean)) return candidate
  }
  throw new Error('no free port region found between 4000 and 24000')
}

function readFileSafe (file: string): string {
  try { return readFileSync(file, 'utf8') } catch { return '' }
}

/** Starts a fleet; throws with start.mjs's output when it does not come up. Call stop() in afterAll. */
export async function startFleet (opts: FleetOptions): Promise<RunningFleet> {
  if (!/^[a-z0-9_]{1,20}$/.test(opts.name)) throw new Error(`fleet name must match [a-z0-9_]{1,20}: ${opts.name}`)
  const { run, adminUrl, redisUrl, runDir: harnessRunDir } = testEnv()
  const dbName = `robbie_test_${run}_${opts.name}`
  const prefix = `test:${run}:${opts.name}:`
  const runDir = mkdtempSync(join(tmpdir(), `robbie-${opts.name}-`))
  // Roles belong to the whole cluster and their passwords derive from the db-secret: share the harness's.
  mkdirSync(join(runDir, 'keys'), { mode: 0o700 })
  writeFileSync(join(runDir, 'keys', 'db-secret'), dbSecret(harnessRunDir), { mode: 0o600 })

  const base = await freeBase(readFleet(ROOT, {}).services.length)
  const ownerEmail = 'owner@e2e.test'
  const ownerPassword = `e2e-${run}-Owner-pass-1`
  // The servers the harness uses; no vitest variables, so the services run as they do for a developer.
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([key]) =>
    !key.startsWith('VITEST') && !key.startsWith('ROBBIE_') && !['NODE_ENV', 'DATABASE_URL', 'REDIS_URL'].includes(key)))
  const env: NodeJS.ProcessEnv = {
    ...inherited,
    ROBBIE_PORT_BASE: String(base),
    ROBBIE_DB_NAME: dbName,
    ROBBIE_REDIS_PREFIX: prefix,
    ROBBIE_RUN_DIR: runDir,
    DATABASE_URL: adminUrl,
    REDIS_URL: redisUrl,
    // a test machine running other suites boots services slowly; 90 s is the developer's default
    ROBBIE_READY_TIMEOUT_S: '240',
    ROBBIE_RATE_LIMIT_MULTIPLIER: '100',
    ROBBIE_GATEWAY_RATE: '1000',
    ROBBIE_GATEWAY_BURST: '2000',
    ROBBIE_OWNER_EMAIL: ownerEmail,
    ROBBIE_OWNER_PASSWORD: ownerPassword,
    ROBBIE_OWNER_NAME: 'Olivia Owner',
    ...(opts.createOwner === false ? { ROBBIE_CREATE_OWNER: 'false' } : {}),
    ...opts.env
  }
  const fleet = readFleet(ROOT, env)
  const url = `http://localhost:${base}`

  const script = (name: string, timeoutMs = 240_000, args: string[] = []): Promise<ScriptResult> => new Promise((resolve) => {
    // the CLI (robbie.mjs) finds the fleet's database from the admin URL, as a developer's shell would
    const scriptEnv = name === 'robbie.mjs' ? { ...env, DATABASE_URL: '', ROBBIE_ADMIN_DATABASE_URL: adminUrl } : env
    execFile(process.execPath, [join(ROOT, 'scripts', name), ...args], { cwd: ROOT, env: scriptEnv, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0
      resolve({ code, output: `${stdout}${stderr}` })
    })
  })

  const api: RunningFleet['api'] = async (method, path, o = {}) => {
    const headers: Record<string, string> = { ...o.headers }
    if (o.token) headers.authorization = `Bearer ${o.token}`
    if (o.body !== undefined) headers['content-type'] = 'application/json'
    const res = await fetch(`http://127.0.0.1:${base}${path}`, {
      method, headers, ...(o.body !== undefined ? { body: JSON.stringify(o.body) } : {}), signal: AbortSignal.timeout(30_000)
    })
    const text = await res.text()
    let body: unknown = text
    try { body = JSON.parse(text) } catch {}
    return { status: res.status, body, headers: res.headers }
  }

  let stopped = false
  const stop = async () => {
    if (stopped) return
    stopped = true
    if (isAlive(Number(readFileSafe(supervisorPidFile(runDir))), SUPERVISOR_MARKER)) await script('stop.mjs', 60_000)
    await dropDatabase(adminUrl, dbName)
    await cleanRedisPrefix(prefix, redisUrl)
    rmSync(runDir, { recursive: true, force: true })
  }

  const started = await script('start.mjs')
  if (started.code !== 0) {
    await stop()
    throw new Error(`the ${opts.name} fleet did not start (exit ${started.code}):\n${started.output.slice(-4000)}`)
  }

  return {
    url,
    base,
    runDir,
    env,
    fleet,
    ownerEmail,
    ownerPassword,
    started,
    setupCode: () => readFileSafe(join(runDir, 'setup-code')).trim(),
    async login (email = ownerEmail, password = ownerPassword) {
      const res = await fetch(`http://127.0.0.1:${base}/api/auth/login`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password })
      })
      const body = await res.json() as { accessToken: string, user: { id: string, role: string } }
      if (res.status !== 200) throw new Error(`login as ${email}: ${res.status} ${JSON.stringify(body)}`)
      return { accessToken: body.accessToken, user: body.user, cookie: (res.headers.get('set-cookie') ?? '').split(';')[0]! }
    },
    api,
    script,
    stop
  }
}
