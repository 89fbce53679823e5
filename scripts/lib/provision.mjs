// Steps a–d of npm start, reusable by the test runner: toolchain and dependencies, Postgres, Redis, nginx.
// What it starts itself (embedded Postgres, a private redis-server) is recorded under <runDir>/pids/ and
// stopped by stopStarted(runDir) — never anything it found already running.
import { spawnSync } from 'node:child_process'
import { accessSync, constants } from 'node:fs'
import { delimiter, join } from 'node:path'
import { ensureNginx } from './gateway.mjs'
import { ensurePostgres, POSTGRES_MARKER } from './postgres.mjs'
import { isAlive, listStarted, readPid, removeFile, startedDir, terminate } from './procs.mjs'
import { ensureRedis, REDIS_MARKER } from './redis.mjs'
import { FAKE_NODE_MARKER } from './fake-node.mjs'
import { checkNode, ensureDependencies, ensurePnpm } from './toolchain.mjs'

/** → { adminDatabaseUrl, redisUrl, started: ['postgres'?, 'redis'?] } (started: what this call started) */
export async function provision ({ rootDir, runDir, env = process.env, log = console.log }) {
  checkNode()
  ensurePnpm(log)
  ensureDependencies(rootDir, log)
  const started = []
  try {
    const pg = await ensurePostgres({ rootDir, runDir, env, log })
    if (pg.started) started.push(pg.started)
    const redis = await ensureRedis({ runDir, env, log })
    if (redis.started) started.push(redis.started)
    await ensureNginx()
    return { adminDatabaseUrl: pg.url, redisUrl: redis.url, started }
  } catch (err) {
    await stopStarted(runDir, started)
    throw err
  }
}

// How each recorded process is stopped: Postgres' "fast" shutdown is SIGINT (SIGTERM waits for every client).
const STOP = {
  postgres: { signal: 'SIGINT', marker: POSTGRES_MARKER },
  redis: { signal: 'SIGTERM', marker: REDIS_MARKER },
  'fake-ollama': { signal: 'SIGTERM', marker: FAKE_NODE_MARKER }
}

/** Stops what provision() started in this run dir (all of it, or only `names`), by recorded pid. → names stopped */
export async function stopStarted (runDir, names = listStarted(runDir)) {
  const stopped = []
  for (const name of names) {
    const file = join(startedDir(runDir), `${name}.pid`)
    const pid = readPid(file)
    const how = STOP[name] ?? { signal: 'SIGTERM' }
    if (isAlive(pid, how.marker)) {
      await terminate(pid, { signal: how.signal, timeoutMs: 20_000, marker: how.marker })
      stopped.push(name)
    }
    removeFile(file)
  }
  return stopped
}

function onPath (name, env) {
  for (const dir of ['/usr/bin', ...(env.PATH ?? '').split(delimiter)]) {
    if (!dir) continue
    try { accessSync(join(dir, name), constants.X_OK); return join(dir, name) } catch {}
  }
  return null
}

/**
 * `binary` from Debian's `pkg`: when it is missing and this runs as root with apt-get, installs the package first;
 * else a clear error naming the command to run.
 */
function ensureAptBinary (binary, pkg, env) {
  const found = onPath(binary, env)
  if (found) return found
  const hint = `${pkg} is not installed. Install it (Debian/Ubuntu: \`sudo apt-get install -y ${pkg}\`) and run again.`
  if (process.getuid?.() !== 0 || !onPath('apt-get', env)) throw new Error(hint)
  for (const args of [['update'], ['install', '-y', '--no-install-recommends', '-o', 'DPkg::Lock::Timeout=300', pkg]]) {
    const r = spawnSync('apt-get', args, { stdio: 'inherit', env: { ...env, DEBIAN_FRONTEND: 'noninteractive' } })
    if (r.status !== 0) throw new Error(`apt-get ${args.join(' ')} failed. ${hint}`)
  }
  const installed = onPath(binary, env)
  if (!installed) throw new Error(hint)
  return installed
}

/**
 * The fail2ban-regex binary, which the firewall tests run against real gateway log lines (infra/firewall/);
 * installing Debian's package on a machine with systemd also enables the fail2ban service, as any install does.
 */
export function ensureFail2ban (env = process.env) {
  return ensureAptBinary('fail2ban-regex', 'fail2ban', env)
}

/** Debian's Chromium for the browser tests (web/e2e), unless CHROMIUM_PATH names another one. */
export function ensureChromium (env = process.env) {
  return env.CHROMIUM_PATH || ensureAptBinary('chromium', 'chromium', env)
}
