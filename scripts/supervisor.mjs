// Runs the fleet of one run dir: every service of fleet.json and the nginx gateway, each with its own log
// (<runDir>/logs/<name>.log), restarted with backoff when it dies. npm start launches it detached; npm stop
// sends it SIGTERM. State for the tools: <runDir>/supervisor.pid and <runDir>/fleet.json (name → pid, port,
// restarts), rewritten on every (re)start.
//   env: ROBBIE_RUN_DIR, ROBBIE_ADMIN_DATABASE_URL, REDIS_URL, and the fleet env (ROBBIE_PORT_BASE, …).
import { spawn } from 'node:child_process'
import { createWriteStream, mkdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { createInterface } from 'node:readline'
import { roleUrl, runtimeRole } from './lib/db-roles.mjs'
import { readFleet, serviceUrls } from './lib/fleet.mjs'
import { findNginx, nginxArgs } from './lib/gateway.mjs'
import { removeFile, supervisorPid, supervisorPidFile, writeJsonAtomic, writePid } from './lib/procs.mjs'

const rootDir = resolve(import.meta.dirname, '..')
const env = process.env
const runDir = resolve(env.ROBBIE_RUN_DIR || join(rootDir, '.run'))
const keys = join(runDir, 'keys')
const fleet = readFleet(rootDir, env)
const BACKOFF_MIN_MS = 250
const BACKOFF_MAX_MS = 10_000
const STABLE_MS = 30_000 // up this long → the next crash starts the backoff again from the minimum
const STOP_GRACE_MS = 10_000
const EX_CONFIG = 78 // the kit's exit code for an invalid configuration: restarting cannot fix it

/** fleet.json's maxBody ('256k', '10m') in bytes, for the kit's ROBBIE_BODY_LIMIT (the gateway enforces the same). */
const bytes = (size) => Number.parseInt(size, 10) * ({ k: 1024, m: 1024 * 1024 }[size.slice(-1).toLowerCase()] ?? 1)

for (const name of ['ROBBIE_ADMIN_DATABASE_URL', 'REDIS_URL']) {
  if (!env[name]) { console.error(`supervisor: ${name} is not set (npm start sets it)`); process.exit(2) }
}
const other = supervisorPid(runDir)
if (other && other !== process.pid) { console.error(`supervisor: already running for ${runDir} (pid ${other})`); process.exit(1) }

// The admin URL is for set-up only: services get their own runtime role's URL.
const { DATABASE_URL: _admin, ROBBIE_ADMIN_DATABASE_URL: adminUrl, ...baseEnv } = env

function serviceEnv (svc) {
  const own = {
    HOST: '127.0.0.1',
    PORT: String(svc.port),
    DATABASE_URL: roleUrl(adminUrl, env.ROBBIE_DB_NAME || 'robbie', runtimeRole(svc.name), runDir),
    REDIS_URL: env.REDIS_URL,
    ROBBIE_REDIS_PREFIX: env.ROBBIE_REDIS_PREFIX || 'robbie:',
    LOG_LEVEL: env.LOG_LEVEL || 'info',
    LOG_PRETTY: 'false', // the supervisor prints readable lines itself; the log files stay JSON
    ROBBIE_INSTANCE: `${svc.name}-1`,
    ROBBIE_TRUST_PROXY: '127.0.0.1',
    ROBBIE_BODY_LIMIT: String(bytes(svc.maxBody)),
    ...serviceUrls(fleet),
    ROBBIE_JWT_KEYS_FILE: join(keys, 'jwt-signing.json'),
    ROBBIE_SERVICE_KEY_FILE: join(keys, `svc-${svc.name}.key`),
    ROBBIE_AUDIT_HMAC_KEY_FILE: join(keys, 'audit-hmac')
  }
  if (svc.name === 'auth') {
    own.ROBBIE_APIKEY_PEPPER_FILE = join(keys, 'apikey-pepper')
    own.ROBBIE_AUDIT_CHECKPOINT_KEY_FILE = join(keys, 'audit-checkpoint.json')
    own.ROBBIE_SETUP_CODE_FILE = join(runDir, 'setup-code') // while no owner exists (SPEC §2.1)
  }
  if (svc.name === 'secrets') own.ROBBIE_SECRETS_MASTER_KEY_FILE = env.ROBBIE_SECRETS_MASTER_KEY_FILE || join(keys, 'secrets-master.key')
  return { ...baseEnv, ...own }
}

// What the supervisor runs: name, command, args, env, port.
const nginxConf = join(runDir, 'nginx', 'nginx.conf')
const nginxDaemonSet = /^\s*daemon\s/m.test(readFileSync(nginxConf, 'utf8'))
const specs = [
  ...fleet.services.map((svc) => ({
    name: svc.name,
    port: svc.port,
    command: process.execPath,
    args: ['--import', 'tsx', join('services', svc.name, 'src', 'server.ts')],
    env: serviceEnv(svc)
  })),
  {
    name: 'nginx',
    port: fleet.portBase,
    command: findNginx(env) ?? 'nginx',
    // nginx must stay in the foreground to be supervised (unless the rendered config says so itself)
    args: [...nginxArgs(nginxConf), ...(nginxDaemonSet ? [] : ['-g', 'daemon off;'])],
    env: baseEnv
  }
]

const procs = new Map(specs.map((spec) => [spec.name, { spec, child: null, pid: null, restarts: 0, startedAt: 0, delay: BACKOFF_MIN_MS, timer: null, failed: null }]))
let stopping = false

function writeState () {
  const state = {}
  for (const [name, p] of procs) {
    state[name] = { pid: p.pid, port: p.spec.port, restarts: p.restarts, startedAt: p.startedAt ? new Date(p.startedAt).toISOString() : null }
    if (p.failed) state[name].failed = p.failed // npm start stops waiting and reports it
  }
  writeJsonAtomic(join(runDir, 'fleet.json'), state)
}

const LEVELS = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' }
/** A JSON log line as `level msg` (plus an error's message), anything else as it is. */
function readable (line) {
  if (!line.startsWith('{')) return line
  try {
    const entry = JSON.parse(line)
    const level = LEVELS[entry.level] ?? entry.level ?? ''
    const err = entry.err?.message ? ` (${entry.err.message})` : ''
    return `${String(level).padEnd(5)} ${entry.msg ?? line}${err}`
  } catch { return line }
}

function start (p) {
  const { spec } = p
  const log = createWriteStream(join(runDir, 'logs', `${spec.name}.log`), { flags: 'a' })
  // Not detached: children share the supervisor's process group, so stopping the group stops them all.
  const child = spawn(spec.command, spec.args, { cwd: rootDir, env: spec.env, stdio: ['ignore', 'pipe', 'pipe'] })
  p.child = child
  p.pid = child.pid ?? null
  p.startedAt = Date.now()
  for (const stream of [child.stdout, child.stderr]) {
    stream.pipe(log, { end: false })
    createInterface({ input: stream }).on('line', (line) => console.log(`[${spec.name}] ${readable(line)}`))
  }
  let exited = false
  const onExit = (code, signal, error) => {
    if (exited) return
    exited = true
    setTimeout(() => log.end(), 100) // let the last piped output land in the file first
    p.child = null
    p.pid = null
    if (stopping) return
    const upMs = Date.now() - p.startedAt
    if (upMs >= STABLE_MS) p.delay = BACKOFF_MIN_MS
    const why = error ? error.message : signal ? `signal ${signal}` : `code ${code}`
    if (code === EX_CONFIG) {
      p.failed = 'invalid configuration (exit 78)'
      console.log(`[supervisor] ${spec.name} exited: ${p.failed}; not restarting it (see ${spec.name}.log)`)
      writeState()
      return
    }
    console.log(`[supervisor] ${spec.name} exited (${why}) after ${Math.round(upMs / 1000)} s; restarting in ${p.delay} ms`)
    writeState()
    p.timer = setTimeout(() => { p.timer = null; p.restarts++; start(p) }, p.delay)
    p.delay = Math.min(p.delay * 2, BACKOFF_MAX_MS)
  }
  child.once('exit', (code, signal) => onExit(code, signal))
  child.once('error', (error) => onExit(null, null, error)) // e.g. the binary is missing
  if (p.pid) console.log(`[supervisor] started ${spec.name} (pid ${p.pid}, port ${spec.port})`)
  writeState()
}

async function shutdown (signal) {
  if (stopping) return
  stopping = true
  console.log(`[supervisor] ${signal}: stopping every process`)
  const running = []
  for (const p of procs.values()) {
    if (p.timer) clearTimeout(p.timer)
    if (p.child) running.push(new Promise((resolve) => p.child.once('exit', resolve)))
    p.child?.kill('SIGTERM')
  }
  const all = Promise.all(running)
  const timedOut = await Promise.race([all.then(() => false), new Promise((resolve) => setTimeout(resolve, STOP_GRACE_MS, true))])
  if (timedOut) {
    for (const p of procs.values()) if (p.child) { console.log(`[supervisor] ${p.spec.name} did not stop in time: SIGKILL`); p.child.kill('SIGKILL') }
    await all
  }
  removeFile(join(runDir, 'fleet.json'))
  removeFile(supervisorPidFile(runDir))
  console.log('[supervisor] stopped')
  process.exit(0)
}

process.on('SIGTERM', () => { shutdown('SIGTERM') })
process.on('SIGINT', () => { shutdown('SIGINT') })
process.on('SIGHUP', () => {}) // the terminal that ran npm start may close; the fleet keeps running
// Last resort on a crash of the supervisor itself: leave no child behind.
process.on('exit', () => { for (const p of procs.values()) p.child?.kill('SIGTERM') })

mkdirSync(join(runDir, 'logs'), { recursive: true })
writePid(supervisorPidFile(runDir), process.pid)
console.log(`[supervisor] pid ${process.pid}, run dir ${runDir}`)
for (const p of procs.values()) start(p)
