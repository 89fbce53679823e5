// A REAL fleet of its own, started the way a developer does (`node scripts/start.mjs`), with its own ports,
// database, Redis prefix and run dir, beside whatever else runs on this machine (CONVENTIONS §4):
// readiness through nginx, the internal-route 404, "already running", crash restart, npm stop.
import { execFile } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import net from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { dropDatabase } from '@robbie/db'
import { cleanRedisPrefix, testEnv } from '@robbie/testing'
import { dbSecret } from '../../scripts/lib/db-roles.mjs'
import { readFleet, type Fleet } from '../../scripts/lib/fleet.mjs'
import { isAlive, portOpen, sleep, SUPERVISOR_MARKER, supervisorPidFile } from '../../scripts/lib/procs.mjs'

const ROOT = resolve(import.meta.dirname, '..', '..')
const { run, adminUrl, redisUrl, runDir: harnessRunDir } = testEnv()
const DB_NAME = `robbie_test_${run}_fleet`
const PREFIX = `test:${run}:fleet:`
const VICTIM = 'priorities' // the service the crash test kills

interface Result { code: number, output: string }
interface ProcState { pid: number | null, port: number, restarts: number }

let runDir = ''
let fleet: Fleet
let fleetEnv: NodeJS.ProcessEnv = {}
let base = 0

/** Runs a root script (start.mjs, stop.mjs) with the fleet's environment. */
function script (name: string, timeoutMs = 150_000): Promise<Result> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(ROOT, 'scripts', name)], { cwd: ROOT, env: fleetEnv, timeout: timeoutMs }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0
      resolve({ code, output: `${stdout}${stderr}` })
    })
  })
}

function canListen (port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer()
    server.once('error', () => resolve(false))
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)))
  })
}

/** A gateway port whose service ports (base + 101 …) are free too: 4000 + a random multiple of 200. */
async function freeBase (services: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const candidate = 4000 + 200 * Math.floor(Math.random() * 100)
    const ports = [candidate, ...Array.from({ length: services }, (_, i) => candidate + 101 + i)]
    if ((await Promise.all(ports.map(canListen))).every(Boolean)) return candidate
  }
  throw new Error('no free port region found between 4000 and 24000')
}

const state = (): Record<string, ProcState> => JSON.parse(readFileSync(join(runDir, 'fleet.json'), 'utf8')) as Record<string, ProcState>
const supervisorPid = (): number => Number(readFileSync(supervisorPidFile(runDir), 'utf8'))

async function get (path: string): Promise<{ status: number, body: any, type: string }> {
  const res = await fetch(`http://127.0.0.1:${base}${path}`, { signal: AbortSignal.timeout(5_000) })
  const text = await res.text()
  let body: unknown = text
  try { body = JSON.parse(text) } catch {}
  return { status: res.status, body, type: res.headers.get('content-type') ?? '' }
}

describe('npm start / npm stop: a whole fleet', () => {
  let started: Result = { code: -1, output: '' }

  beforeAll(async () => {
    runDir = mkdtempSync(join(tmpdir(), 'robbie-fleet-'))
    // Postgres roles belong to the whole cluster and their passwords derive from the run dir's db-secret:
    // share the harness's secret so this fleet's set-up never re-passwords roles another fleet uses.
    mkdirSync(join(runDir, 'keys'), { mode: 0o700 })
    writeFileSync(join(runDir, 'keys', 'db-secret'), dbSecret(harnessRunDir), { mode: 0o600 })

    const probeFleet = readFleet(ROOT, {})
    base = await freeBase(probeFleet.services.length)
    // The servers the harness uses; no vitest variables, so the services run as they do for a developer.
    const inherited = Object.fromEntries(Object.entries(process.env).filter(([key]) =>
      !key.startsWith('VITEST') && !key.startsWith('ROBBIE_') && !['NODE_ENV', 'DATABASE_URL', 'REDIS_URL'].includes(key)))
    fleetEnv = {
      ...inherited,
      ROBBIE_PORT_BASE: String(base),
      ROBBIE_DB_NAME: DB_NAME,
      ROBBIE_REDIS_PREFIX: PREFIX,
      ROBBIE_RUN_DIR: runDir,
      DATABASE_URL: adminUrl,
      REDIS_URL: redisUrl
    }
    fleet = readFleet(ROOT, fleetEnv)
    started = await script('start.mjs')
  })

  afterAll(async () => {
    if (isAlive(Number(readFileSafe(supervisorPidFile(runDir))), SUPERVISOR_MARKER)) await script('stop.mjs', 60_000)
    if (DB_NAME.startsWith('robbie_test_')) await dropDatabase(adminUrl, DB_NAME)
    await cleanRedisPrefix(PREFIX, redisUrl)
    rmSync(runDir, { recursive: true, force: true })
  })

  it('starts, and every service answers healthz and readyz through nginx', async () => {
    expect(started.code, started.output).toBe(0)
    expect(started.output).toContain(`Robbie is running at http://localhost:${base}`)
    for (const { name } of fleet.services) {
      const health = await get(`/api/${name}/healthz`)
      expect({ name, status: health.status, body: health.body?.status }).toEqual({ name, status: 200, body: 'ok' })
      const ready = await get(`/api/${name}/readyz`)
      expect({ name, status: ready.status, body: ready.body?.status }).toEqual({ name, status: 200, body: 'ready' })
    }
  })

  it('never proxies /internal/<name>/…: 404 GATEWAY_NOT_FOUND as JSON', async () => {
    for (const { name } of fleet.services) {
      const res = await get(`/internal/${name}/openapi.json`)
      expect({ name, status: res.status, code: res.body?.error?.code }).toEqual({ name, status: 404, code: 'GATEWAY_NOT_FOUND' })
      expect(res.type).toContain('application/json')
    }
  })

  it('a second npm start says it is already running and starts nothing', async () => {
    const before = state()
    const second = await script('start.mjs', 30_000)
    expect(second.code).toBe(0)
    expect(second.output).toContain(`Robbie is already running at http://localhost:${base} (npm stop to stop it)`)
    expect(state()).toEqual(before)
  })

  it('restarts a killed service, ready again within 5 s', async () => {
    const before = state()[VICTIM]!
    expect(isAlive(before.pid)).toBe(true)
    process.kill(before.pid!, 'SIGKILL')
    const t0 = Date.now()
    let now = before
    let ready = false
    // The stated requirement (back within 5 s), not a benchmark: poll until then, plus slack to report.
    while (Date.now() - t0 < 10_000) {
      now = state()[VICTIM]!
      if (now.pid && now.pid !== before.pid) {
        ready = (await get(`/api/${VICTIM}/readyz`).catch(() => ({ status: 0 }))).status === 200
        if (ready) break
      }
      await sleep(100)
    }
    const elapsed = Date.now() - t0
    expect(ready).toBe(true)
    expect(now.pid).not.toBe(before.pid)
    expect(now.restarts).toBe(before.restarts + 1)
    expect(elapsed, `ready again after ${elapsed} ms`).toBeLessThan(5_000)
  })

  it('npm stop stops the supervisor, every service and nginx', async () => {
    const supervisor = supervisorPid()
    const pids = Object.values(state()).map((p) => p.pid)
    const stopped = await script('stop.mjs', 60_000)
    expect(stopped.code, stopped.output).toBe(0)
    expect(stopped.output).toContain('Robbie is stopped')
    expect(isAlive(supervisor)).toBe(false)
    for (const pid of pids) expect(isAlive(pid)).toBe(false)
    for (const port of [base, ...fleet.services.map((s) => s.port)]) expect({ port, open: await portOpen(port) }).toEqual({ port, open: false })
    expect((await script('stop.mjs', 30_000)).output).toContain('Robbie is not running')
  })
})

function readFileSafe (file: string): string {
  try { return readFileSync(file, 'utf8') } catch { return '' }
}
