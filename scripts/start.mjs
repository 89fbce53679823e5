// `npm start`: from a fresh clone to a running fleet (ARCHITECTURE.md §11, SPEC §11.6). Plain Node with no
// dependencies at the top level: pnpm and the packages are installed by the first step.
//   (a–d) toolchain, Postgres, Redis, nginx → lib/provision.mjs   (e) migrations → scripts/setup-db.ts
//   (f) key bootstrap → scripts/bootstrap.ts   (g) web build (lib/web-build.mjs), gateway config + supervisor
//   (detached)   (h) readiness
// Run dir: ROBBIE_RUN_DIR or <repo>/.run. Fleet env (ROBBIE_PORT_BASE, ROBBIE_SERVICE_PORT_BASE,
// ROBBIE_DB_NAME, ROBBIE_REDIS_PREFIX) lets a test fleet run beside a developer's.
import { spawnSync } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { readFleet, serviceUrls } from './lib/fleet.mjs'
import { renderGateway, testConfig } from './lib/gateway.mjs'
import { httpStatus, isAlive, portOpen, readJson, SUPERVISOR_MARKER, spawnDetached, supervisorPid, tail, terminate, waitFor } from './lib/procs.mjs'
import { provision, stopStarted } from './lib/provision.mjs'
import { ensureDevCertificate } from './lib/tls.mjs'
import { ensureWebBuild } from './lib/web-build.mjs'
import { ensureFakeNode } from './lib/fake-node.mjs'

// ROBBIE_READY_TIMEOUT_S: how long the services get to become ready (a busy machine boots tsx services slowly)
const READY_TIMEOUT_MS = 1000 * Number(process.env.ROBBIE_READY_TIMEOUT_S || 90)
const rootDir = resolve(import.meta.dirname, '..')
// A local run reaches GPU machines on this host too (SPEC §7.1: loopback node URLs only when this is on).
const env = { ROBBIE_GPU_ALLOW_LOOPBACK: 'true', ...process.env }
const runDir = resolve(env.ROBBIE_RUN_DIR || join(rootDir, '.run'))
const logsDir = join(runDir, 'logs')
const step = (msg) => console.log(`• ${msg}`)

const fleet = readFleet(rootDir, env)
const publicUrl = `http://localhost:${fleet.portBase}`

if (supervisorPid(runDir)) {
  // The running fleet's own gateway port, in case this shell's ROBBIE_PORT_BASE differs from its.
  const port = readJson(join(runDir, 'fleet.json'))?.nginx?.port ?? fleet.portBase
  console.log(`Robbie is already running at http://localhost:${port} (npm stop to stop it)`)
  process.exit(0)
}

/** Runs a TypeScript step of the set-up; its own output explains a failure. */
function runTs (file, extraEnv, what) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(rootDir, file)], { cwd: rootDir, stdio: 'inherit', env: { ...env, ...extraEnv } })
  if (r.status !== 0) throw new Error(`${what} failed (${file} exited with ${r.status ?? r.signal})`)
}

async function waitReady (supervisor) {
  const pending = new Map(fleet.services.map((s) => [s.name, 0]))
  const startedAt = Date.now()
  let supervisorGone = false
  let failed = []
  await waitFor(async () => {
    supervisorGone = !isAlive(supervisor, SUPERVISOR_MARKER)
    // A process the supervisor gave up on (invalid configuration) will never be ready: stop waiting.
    failed = Object.entries(readJson(join(runDir, 'fleet.json')) ?? {}).filter(([, p]) => p.failed)
    await Promise.all([...pending.keys()].map(async (name) => {
      const status = await httpStatus(`http://127.0.0.1:${fleet.portBase}/api/${name}/readyz`)
      if (status === 200) pending.delete(name)
      else pending.set(name, status)
    }))
    return pending.size === 0 || supervisorGone || failed.length > 0
  }, { timeoutMs: READY_TIMEOUT_MS, intervalMs: 500 })
  if (failed.length > 0) {
    throw new Error('the supervisor gave up on:\n' + failed.map(([name, p]) => `  ${name}: ${p.failed}; last lines of ${join(logsDir, `${name}.log`)}:\n${tail(join(logsDir, `${name}.log`), 15).replace(/^/gm, '    ')}`).join('\n'))
  }
  if (supervisorGone) throw new Error(`the supervisor stopped; last lines of ${join(logsDir, 'supervisor.log')}:\n${tail(join(logsDir, 'supervisor.log'))}`)
  if (pending.size === 0) return Math.round((Date.now() - startedAt) / 100) / 10
  const report = [...pending].map(([name, status]) =>
    `  ${name}: ${status ? `readyz answered ${status}` : 'no answer'}; last lines of ${join(logsDir, `${name}.log`)}:\n${tail(join(logsDir, `${name}.log`), 15).replace(/^/gm, '    ')}`)
  // Nothing answering at all points at the gateway itself rather than at the services.
  if ([...pending.values()].every((status) => status === 0)) {
    report.push(`  nginx: last lines of ${join(logsDir, 'gateway.error.log')}:\n${tail(join(logsDir, 'gateway.error.log'), 10).replace(/^/gm, '    ')}`)
  }
  throw new Error(`not ready after ${READY_TIMEOUT_MS / 1000} s:\n${report.join('\n')}`)
}

// Made with the default mode before anything writes into it (embedded Postgres' user must enter it).
mkdirSync(logsDir, { recursive: true })
let started = []
let supervisor = null
try {
  const provisioned = await provision({ rootDir, runDir, env, log: step })
  started = provisioned.started
  // A fake Ollama node only when asked (ROBBIE_FAKE_OLLAMA=true): registered through ROBBIE_GPU_NODES unless that is set.
  if (env.ROBBIE_FAKE_OLLAMA === 'true') {
    const fake = await ensureFakeNode({ rootDir, runDir, port: Number(env.ROBBIE_FAKE_OLLAMA_PORT || fleet.portBase + 150), log: step })
    if (fake.started) started.push(fake.started)
    env.ROBBIE_GPU_NODES ||= JSON.stringify([{ name: 'fake-ollama', baseUrl: fake.url }])
  }
  const dbEnv = { ROBBIE_ADMIN_DATABASE_URL: provisioned.adminDatabaseUrl, ROBBIE_DB_NAME: env.ROBBIE_DB_NAME || 'robbie', ROBBIE_RUN_DIR: runDir }

  step(`database ${dbEnv.ROBBIE_DB_NAME}: schemas, roles, migrations`)
  runTs('scripts/setup-db.ts', dbEnv, 'database set-up')

  step('keys')
  // after the migrations: the service keys' HMAC rows go into auth.api_keys
  runTs('scripts/bootstrap.ts', { ...dbEnv, DATABASE_URL: '' }, 'key bootstrap') // DATABASE_URL here would be the admin URL, not auth's role

  // The development certificate for HTTPS on the base port + 443 (SPEC §11.4); without openssl, HTTP only.
  ensureDevCertificate({ runDir, optional: true, log: step })
  // The web app, before the gateway config: nginx serves web/dist once it exists (ARCHITECTURE.md §10).
  const web = await ensureWebBuild({ rootDir, log: step })
  if (web === 'fresh') step('web app up to date')
  step(`gateway on port ${fleet.portBase}`)
  renderGateway({ rootDir, runDir, fleet, env })
  testConfig(join(runDir, 'nginx', 'nginx.conf'))

  // A taken port would only show up as a crash loop in the logs: say it plainly before starting anything.
  const ports = [fleet.portBase, ...fleet.services.map((s) => s.port)]
  const taken = (await Promise.all(ports.map(async (port) => (await portOpen(port)) ? port : null))).filter(Boolean)
  if (taken.length > 0) throw new Error(`port(s) ${taken.join(', ')} already in use (another fleet? set ROBBIE_PORT_BASE for a fleet of its own)`)

  step(`starting ${fleet.services.length} services and nginx (log: ${join(logsDir, 'supervisor.log')})`)
  supervisor = spawnDetached(process.execPath, [join(rootDir, 'scripts', 'supervisor.mjs')], {
    cwd: rootDir,
    logFile: join(logsDir, 'supervisor.log'),
    env: { ...env, ...dbEnv, REDIS_URL: provisioned.redisUrl }
  })
  const seconds = await waitReady(supervisor)
  step(`all services ready (${seconds} s)`)

  // (i) The owner account (SPEC §2.1, §11.6), through auth's own code as its runtime role; idempotent. With
  // ROBBIE_CREATE_OWNER=false the first-run wizard's setup code (printed by auth, in <runDir>/setup-code) is the way in.
  if (env.ROBBIE_CREATE_OWNER !== 'false') {
    step('owner account')
    const owner = spawnSync(process.execPath, ['--import', 'tsx', join(rootDir, 'scripts', 'users.ts'), 'create-owner'], {
      cwd: rootDir,
      stdio: 'inherit',
      // DATABASE_URL cleared: an operator's admin URL must not stand in for auth's runtime role
      env: { ...env, ...dbEnv, ...serviceUrls(fleet), DATABASE_URL: '', ROBBIE_SERVICE_KEY_FILE: join(runDir, 'keys', 'svc-auth.key'), ROBBIE_AUDIT_HMAC_KEY_FILE: join(runDir, 'keys', 'audit-hmac'), ROBBIE_SETUP_CODE_FILE: join(runDir, 'setup-code') }
    })
    if (owner.status !== 0) throw new Error(`creating the owner failed (scripts/users.ts exited with ${owner.status ?? owner.signal})`)
  } else {
    console.log(`  no owner created (ROBBIE_CREATE_OWNER=false): the setup code is in ${join(runDir, 'setup-code')}`)
  }
  console.log(`\nRobbie is running at ${publicUrl}  (logs: ${logsDir}; npm stop to stop it)`)
} catch (err) {
  console.error(`\nnpm start failed: ${err.message}`)
  // Leave nothing half-started behind: the supervisor (and with it the services), then what provision started.
  if (supervisor) await terminate(supervisor, { marker: SUPERVISOR_MARKER, timeoutMs: 15_000 })
  const stopped = await stopStarted(runDir, started)
  if (stopped.length > 0) console.error(`stopped ${stopped.join(', ')}`)
  process.exit(1)
}
