// A bench fleet (CONVENTIONS.md §8): scripts/start.mjs on ports, a database (robbie_bench_<pid>), a Redis prefix
// (bench:<pid>:) and a run dir of its own, beside any developer fleet; cleanUp() stops it and removes all three,
// also on SIGINT/SIGTERM. The shared Postgres and Redis servers are only used, never stopped.
//   env: DATABASE_URL (admin, default postgres@127.0.0.1:5432), REDIS_URL (default 127.0.0.1:6379)
import { execFile } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { dropDatabase } from '@robbie/db'
import { createRedis, deletePrefix } from '@robbie/bus'
import { root } from './machine.js'

export interface BenchFleet {
  portBase: number
  /** http://127.0.0.1:<portBase>: the gateway */
  gateway: string
  dbName: string
  prefix: string
  runDir: string
  env: NodeJS.ProcessEnv
  start: () => Promise<void>
  cleanUp: () => Promise<void>
}

/** `env` is added to the fleet's environment (limits raised by config, the owner's credentials, …). */
/** The environment every fleet bench shares: its limits raised to `rate` (said in each report) and a known owner. */
export function raisedLimitsEnv (rate: number, owner: { email: string, password: string }): Record<string, string> {
  return {
    ROBBIE_GATEWAY_RATE: String(rate),
    ROBBIE_GATEWAY_BURST: String(rate),
    ROBBIE_RATE_LIMIT_MULTIPLIER: String(rate),
    ROBBIE_CREATE_OWNER: 'true',
    ROBBIE_OWNER_EMAIL: owner.email,
    ROBBIE_OWNER_PASSWORD: owner.password
  }
}

export function createBenchFleet (opts: { portBase: number, env?: Record<string, string> }): BenchFleet {
  const adminUrl = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres'
  const redisUrl = process.env.REDIS_URL || 'redis://127.0.0.1:6379'
  const id = String(process.pid)
  const dbName = `robbie_bench_${id}`
  const prefix = `bench:${id}:`
  const runDir = mkdtempSync(join(tmpdir(), 'robbie-bench-'))
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ROBBIE_PORT_BASE: String(opts.portBase),
    ROBBIE_SERVICE_PORT_BASE: String(opts.portBase + 100),
    ROBBIE_DB_NAME: dbName,
    ROBBIE_REDIS_PREFIX: prefix,
    ROBBIE_RUN_DIR: runDir,
    DATABASE_URL: adminUrl,
    REDIS_URL: redisUrl,
    LOG_LEVEL: 'warn',
    ...opts.env
  }

  async function node (script: string): Promise<void> {
    const child = execFile(process.execPath, [join(root, 'scripts', script)], { cwd: root, env })
    child.stdout?.pipe(process.stdout)
    child.stderr?.pipe(process.stderr)
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
    if (code !== 0) throw new Error(`scripts/${script} exited with ${code}`)
  }

  let cleaned = false
  async function cleanUp (): Promise<void> {
    if (cleaned) return
    cleaned = true
    console.log('\n• cleaning up: stopping the bench fleet, dropping its database and Redis keys')
    await node('stop.mjs').catch((err: Error) => console.error(err.message))
    if (dbName.startsWith('robbie_bench_')) await dropDatabase(adminUrl, dbName).catch((err: Error) => console.error(`drop ${dbName}: ${err.message}`))
    const r = createRedis({ url: redisUrl, prefix })
    try {
      await r.ready()
      await deletePrefix(r.client, prefix)
    } catch (err) {
      console.error(`Redis clean-up of ${prefix}*: ${(err as Error).message}`)
    } finally {
      await r.close()
    }
    rmSync(runDir, { recursive: true, force: true })
  }
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => { void cleanUp().finally(() => process.exit(130)) })
  }

  return {
    portBase: opts.portBase,
    gateway: `http://127.0.0.1:${opts.portBase}`,
    dbName,
    prefix,
    runDir,
    env,
    async start () {
      // Role passwords are derived from the checkout's db-secret and roles are cluster-wide: the fleet must use the same one.
      const secret = join(root, '.run', 'keys', 'db-secret')
      if (existsSync(secret)) {
        mkdirSync(join(runDir, 'keys'), { recursive: true, mode: 0o700 })
        copyFileSync(secret, join(runDir, 'keys', 'db-secret'))
      }
      console.log(`• starting a bench fleet: gateway :${opts.portBase}, services :${opts.portBase + 101}…, database ${dbName}, prefix ${prefix}, run dir ${runDir}`)
      await node('start.mjs')
    },
    cleanUp
  }
}
