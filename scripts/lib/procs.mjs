// Process bookkeeping shared by start, stop, the supervisor and the test runner: pid files, liveness,
// detached spawning, waiting. Plain Node with no dependencies (it runs before `pnpm install`).
import { spawn } from 'node:child_process'
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { connect } from 'node:net'
import { dirname, join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'

export { sleep }

export function readPid (file) {
  try {
    const pid = Number.parseInt(readFileSync(file, 'utf8').trim(), 10)
    return Number.isInteger(pid) && pid > 0 ? pid : null
  } catch { return null }
}

export function writePid (file, pid) {
  mkdirSync(dirname(file), { recursive: true })
  writeFileSync(file, String(pid) + '\n')
}

/** True when `pid` runs and, if `marker` is given, its command line contains it (guards against a recycled pid). */
export function isAlive (pid, marker) {
  if (!pid) return false
  try { process.kill(pid, 0) } catch (err) { if (err.code !== 'EPERM') return false }
  if (!existsSync('/proc/self')) return true // not Linux: kill(0) is all we have
  try {
    // A zombie (exited, not yet reaped: detached processes end up under an init that may never reap them)
    // still answers kill(0); for us it is gone.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    if (/^[ZX]$/.test(stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3))) return false
    return !marker || readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker)
  } catch { return false }
}

export async function waitGone (pid, timeoutMs, marker) {
  const until = Date.now() + timeoutMs
  while (Date.now() < until) {
    if (!isAlive(pid, marker)) return true
    await sleep(100)
  }
  return !isAlive(pid, marker)
}

/** SIGTERM (or `signal`), wait up to `timeoutMs`, then SIGKILL. Resolves once the process is gone. */
export async function terminate (pid, { signal = 'SIGTERM', timeoutMs = 10_000, marker } = {}) {
  if (!isAlive(pid, marker)) return
  try { process.kill(pid, signal) } catch { return }
  if (await waitGone(pid, timeoutMs, marker)) return
  try { process.kill(pid, 'SIGKILL') } catch {}
  await waitGone(pid, 5_000, marker)
}

/**
 * Starts a process in its own session so it outlives this one (Postgres, Redis, the supervisor);
 * stdout and stderr append to `logFile`. Returns the child's pid.
 */
export function spawnDetached (command, args, { logFile, env = process.env, cwd, uid, gid } = {}) {
  mkdirSync(dirname(logFile), { recursive: true })
  const fd = openSync(logFile, 'a')
  const child = spawn(command, args, { cwd, env, uid, gid, detached: true, stdio: ['ignore', fd, fd] })
  closeSync(fd)
  child.unref()
  return child.pid
}

/** Resolves true when something accepts TCP connections on host:port. */
export function portOpen (port, host = '127.0.0.1', timeoutMs = 500) {
  return new Promise((resolve) => {
    const socket = connect({ port, host })
    const done = (open) => { socket.destroy(); resolve(open) }
    socket.setTimeout(timeoutMs, () => done(false))
    socket.once('connect', () => done(true))
    socket.once('error', () => done(false))
  })
}

/** Polls `probe` (async, truthy = done) every `intervalMs` until `timeoutMs`; returns the last result. */
export async function waitFor (probe, { timeoutMs, intervalMs = 250 }) {
  const until = Date.now() + timeoutMs
  for (;;) {
    const result = await probe().catch(() => false)
    if (result || Date.now() >= until) return result
    await sleep(intervalMs)
  }
}

/** HTTP status of a GET, or 0 when nothing answers. */
export async function httpStatus (url, timeoutMs = 2_000) {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) })
    await res.arrayBuffer()
    return res.status
  } catch { return 0 }
}

/** Writes JSON through a temporary file, so readers never see half a file. */
export function writeJsonAtomic (file, value) {
  mkdirSync(dirname(file), { recursive: true })
  const tmp = `${file}.${process.pid}.tmp`
  writeFileSync(tmp, JSON.stringify(value, null, 2) + '\n')
  renameSync(tmp, file)
}

export function readJson (file) {
  try { return JSON.parse(readFileSync(file, 'utf8')) } catch { return null }
}

/** The last `n` lines of a log file ('' when it does not exist). */
export function tail (file, n = 20) {
  try {
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n')
    return lines.slice(-n).join('\n')
  } catch { return '' }
}

// The supervisor of a run dir: its pid file and the marker that proves a pid is really it.
export const supervisorPidFile = (runDir) => join(runDir, 'supervisor.pid')
export const SUPERVISOR_MARKER = 'supervisor.mjs'

export function supervisorPid (runDir) {
  const pid = readPid(supervisorPidFile(runDir))
  return isAlive(pid, SUPERVISOR_MARKER) ? pid : null
}

// What start.mjs itself started (embedded Postgres, a private redis-server): `<runDir>/pids/<name>.pid`.
export const startedDir = (runDir) => join(runDir, 'pids')

export function listStarted (runDir) {
  try {
    return readdirSync(startedDir(runDir)).filter((f) => f.endsWith('.pid')).map((f) => f.slice(0, -4))
  } catch { return [] }
}

export const removeFile = (file) => rmSync(file, { force: true })
