// Step (c) of npm start: find or start Redis. REDIS_URL if given, else 127.0.0.1:6379 if it answers PING,
// else a private redis-server (installed with apt when root and missing) on ROBBIE_LOCAL_REDIS_PORT,
// without persistence, started detached; npm stop stops it by its recorded pid.
import { execFileSync } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { connect } from 'node:net'
import { join } from 'node:path'
import { isAlive, readPid, spawnDetached, startedDir, tail, waitFor, writePid } from './procs.mjs'

export const REDIS_MARKER = 'redis-server'

/** A raw RESP PING (no client library needed before install): resolves true on +PONG. */
export function redisPing (port, host = '127.0.0.1', timeoutMs = 500) {
  return new Promise((resolve) => {
    const socket = connect({ port, host })
    let reply = ''
    const done = (ok) => { socket.destroy(); resolve(ok) }
    socket.setTimeout(timeoutMs, () => done(false))
    socket.once('connect', () => socket.write('PING\r\n'))
    socket.on('data', (chunk) => {
      reply += chunk.toString('latin1')
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'))
    })
    socket.once('error', () => done(false))
    socket.once('end', () => done(false))
  })
}

function which (command) {
  try { return execFileSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' }).trim() || null } catch { return null }
}

function installRedis (log) {
  if (process.getuid?.() !== 0 || !which('apt-get')) return null
  log('Redis: apt-get install -y redis-server')
  execFileSync('apt-get', ['install', '-y', 'redis-server'], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } })
  return which('redis-server')
}

/** → { url, started: 'redis' | null } */
export async function ensureRedis ({ runDir, env, log }) {
  if (env.REDIS_URL) { log('Redis: using REDIS_URL'); return { url: env.REDIS_URL, started: null } }
  if (await redisPing(6379)) { log('Redis: local server on 127.0.0.1:6379'); return { url: 'redis://127.0.0.1:6379', started: null } }
  return startPrivateRedis({ runDir, env, log })
}

/** A redis-server of this run dir's own, without persistence. → { url, started: 'redis' | null } */
export async function startPrivateRedis ({ runDir, env, log }) {
  const port = Number(env.ROBBIE_LOCAL_REDIS_PORT || 6389)
  const url = `redis://127.0.0.1:${port}`
  const pidFile = join(startedDir(runDir), 'redis.pid')
  const running = readPid(pidFile)
  if (isAlive(running, REDIS_MARKER) && await redisPing(port)) {
    log(`Redis: private server already running on 127.0.0.1:${port} (pid ${running})`)
    return { url, started: null }
  }
  if (await redisPing(port)) throw new Error(`port ${port} answers as a Redis that npm start did not start: set REDIS_URL=${url} to use it, or ROBBIE_LOCAL_REDIS_PORT`)

  const bin = which('redis-server') ?? installRedis(log)
  if (!bin) throw new Error('no Redis found: install redis-server (Debian: sudo apt-get install redis-server), or set REDIS_URL')
  const dir = join(runDir, 'redis')
  mkdirSync(dir, { recursive: true })
  const logFile = join(runDir, 'logs', 'redis.log')
  log(`Redis: starting private redis-server on 127.0.0.1:${port}`)
  const pid = spawnDetached(bin, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--dir', dir], { logFile })
  writePid(pidFile, pid)
  const ok = await waitFor(async () => isAlive(pid) && redisPing(port), { timeoutMs: 10_000 })
  if (!ok) throw new Error(`redis-server did not start; last lines of ${logFile}:\n${tail(logFile)}`)
  return { url, started: 'redis' }
}
