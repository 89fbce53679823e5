// A REAL fleet of its own, started the way a developer does (`node scripts/start.mjs`), with its own ports,
// database, Redis prefix and run dir, beside whatever else runs on this machine (CONVENTIONS §4):
// readiness through nginx, the internal-route 404, "already running", crash restart, npm stop.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Fleet } from '../../scripts/lib/fleet.mjs'
import { isAlive, portOpen, sleep, supervisorPidFile } from '../../scripts/lib/procs.mjs'
import { startFleet, type RunningFleet, type ScriptResult } from './fleet-harness.js'

const VICTIM = 'priorities' // the service the crash test kills

interface ProcState { pid: number | null, port: number, restarts: number }

let running: RunningFleet
let runDir = ''
let fleet: Fleet
let base = 0
const script = (name: string, timeoutMs?: number): Promise<ScriptResult> => running.script(name, timeoutMs)

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
  let started: ScriptResult = { code: -1, output: '' }

  beforeAll(async () => {
    running = await startFleet({ name: 'fleet' })
    ;({ runDir, fleet, base, started } = running)
  })

  afterAll(async () => { await running?.stop() })

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
