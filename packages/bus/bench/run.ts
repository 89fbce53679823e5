// End-to-end throughput of the event bus: outbox INSERT (transactions of 50) → relay → stream → consumer → effect.
// Uses its own database (migrated like a fleet's) and its own Redis prefix, both removed afterwards.
//   env: TEST_DATABASE_URL (admin), TEST_REDIS_URL, ROBBIE_RUN_DIR, BENCH_N (default 5000)
import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import pg from 'pg'
import { pino } from 'pino'
import { createPool, dropDatabase, withTransaction } from '@robbie/db'
import { roleUrl } from '../../../scripts/lib/db-roles.mjs'
import { createConsumer, createOutbox, createRedis, createRelay, deletePrefix } from '../src/index.js'

const root = join(import.meta.dirname, '..', '..', '..')
const adminUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'
const runDir = process.env.ROBBIE_RUN_DIR ?? join(root, '.run')
const N = Number(process.env.BENCH_N ?? 5000)
const TX = 50
const dbName = `robbie_test_bench_${process.pid}`
const prefix = `test:bench:${process.pid}:`
const log = pino({ level: 'warn' })

interface Row { scenario: string, n: number, p50: number, p99: number, perSec: number, lost: number }

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN
const sleep = async (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

async function scenario (name: string, n: number, txPerSec: number | null): Promise<Row> {
  const producerPool = createPool({ connectionString: roleUrl(adminUrl, dbName, 'robbie_priorities', runDir), schema: 'priorities', applicationName: 'bench-producer' })
  const consumerPool = createPool({ connectionString: roleUrl(adminUrl, dbName, 'robbie_chat', runDir), schema: 'chat', applicationName: 'bench-consumer' })
  // One prefix for both scenarios: a new prefix would look like a Redis loss and re-publish the earlier rows.
  const redis = createRedis({ url: redisUrl, prefix })
  await redis.ready()
  const latencies: number[] = []
  const relay = createRelay({ pool: producerPool, redis, producer: 'priorities', log })
  const consumer = createConsumer({
    pool: consumerPool,
    redis,
    group: 'chat',
    streams: ['priorities'],
    log,
    handler: async (event, client) => {
      await client.query('INSERT INTO bench_effects (event_id) VALUES ($1)', [event.id])
      latencies.push(Date.now() - Date.parse(event.occurredAt))
    }
  })
  relay.start()
  consumer.start()
  const outbox = createOutbox({ producer: 'priorities' })
  const ids: string[] = []
  const started = Date.now()
  for (let t = 0; t < n / TX; t++) {
    const batch = await withTransaction(producerPool, async (client) => {
      const out: string[] = []
      for (let i = 0; i < TX; i++) {
        out.push((await outbox.add(client, { type: 'priorities.task.created.v1', subject: { type: 'task', id: `${t}-${i}` }, data: { t, i } })).id)
      }
      return out
    })
    ids.push(...batch)
    if (txPerSec !== null) await sleep(1000 / txPerSec)
  }
  // Wait until every event's effect exists, or nothing moved for 10 s (then the rest counts as lost).
  let done = 0
  let lastChange = Date.now()
  while (done < ids.length && Date.now() - lastChange < 10_000) {
    await sleep(50)
    const { rows } = await consumerPool.query<{ n: string }>(
      "SELECT count(*) AS n FROM consumed_events WHERE group_name = 'chat' AND event_id = ANY($1::uuid[])", [ids])
    const now = Number(rows[0]?.n)
    if (now !== done) { done = now; lastChange = Date.now() }
  }
  const elapsedS = (Date.now() - started) / 1000
  const effects = await consumerPool.query<{ n: string }>('SELECT count(DISTINCT event_id) AS n FROM bench_effects WHERE event_id = ANY($1::uuid[])', [ids])
  await consumer.stop()
  await relay.stop()
  await redis.close()
  await producerPool.end()
  await consumerPool.end()
  latencies.sort((a, b) => a - b)
  return { scenario: name, n, p50: pct(latencies, 0.5), p99: pct(latencies, 0.99), perSec: Math.round(done / elapsedS), lost: n - Number(effects.rows[0]?.n) }
}

async function cleanPrefix (): Promise<void> {
  const r = createRedis({ url: redisUrl, prefix })
  await r.ready()
  await deletePrefix(r.client, prefix)
  await r.close()
}

execFileSync(process.execPath, ['--import', 'tsx', join(root, 'scripts', 'setup-db.ts'), '--quiet'], {
  cwd: root, stdio: 'inherit', env: { ...process.env, ROBBIE_ADMIN_DATABASE_URL: adminUrl, ROBBIE_DB_NAME: dbName, ROBBIE_RUN_DIR: runDir }
})
try {
  const owner = new pg.Client({ connectionString: roleUrl(adminUrl, dbName, 'robbie_chat_owner', runDir) })
  await owner.connect()
  await owner.query('CREATE TABLE chat.bench_effects (event_id uuid NOT NULL)')
  await owner.end()
  const rows = [
    await scenario('burst', N, null),
    await scenario('steady-10tx/s', Math.min(N, 2000), 10)
  ]
  console.log('\nscenario       n      p50 ms   p99 ms   events/s   lost')
  for (const r of rows) {
    console.log(`${r.scenario.padEnd(14)} ${String(r.n).padEnd(6)} ${String(r.p50).padStart(6)}   ${String(r.p99).padStart(6)}   ${String(r.perSec).padStart(8)}   ${r.lost}`)
  }
  console.log('\nend to end = occurredAt (outbox.add) → handler; relay pollMs 250 + NOTIFY, consumer blockMs 1000, one replica each')
  if (rows.some((r) => r.lost !== 0)) process.exitCode = 1
} finally {
  await dropDatabase(adminUrl, dbName)
  await cleanPrefix()
}
