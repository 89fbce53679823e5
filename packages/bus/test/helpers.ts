// Shared set-up for the bus integration tests: a database clone, pools for a producer (priorities) and a
// consumer (chat) schema, an effect table the handlers write to, and a private redis-server for outage tests.
import { spawn, type ChildProcess } from 'node:child_process'
import { createServer } from 'node:net'
import { cloneDatabase, testEnv } from '@robbie/testing'
import { createPool, withTransaction, type Pool } from '@robbie/db'
import { Redis } from 'ioredis'
import pg from 'pg'
import { pino } from 'pino'
import { createOutbox, type NewEvent } from '../src/index.js'

export const log = pino({ level: process.env.BUS_TEST_LOG ?? 'silent' })
export const PRODUCER = 'priorities'
export const GROUP = 'chat'
export const TYPE = 'priorities.task.created.v1'

export type Clone = Awaited<ReturnType<typeof cloneDatabase>>

/** A clone with the effect table: chat.bus_test_effects gets one row per handler run (no unique key on purpose). */
export async function setupDatabase () {
  const db = await cloneDatabase()
  // Made by the schema owner, like a migration: the owner's default privileges give the runtime role its rows.
  const owner = new pg.Client({ connectionString: db.ownerUrlFor(GROUP) })
  await owner.connect()
  await owner.query('CREATE TABLE chat.bus_test_effects (event_id uuid NOT NULL, note text, at timestamptz DEFAULT now())')
  await owner.end()
  const producerPool = createPool({ connectionString: db.urlFor(PRODUCER), schema: PRODUCER, applicationName: 'bus-test-producer' })
  const consumerPool = createPool({ connectionString: db.urlFor(GROUP), schema: GROUP, applicationName: 'bus-test-consumer' })
  return {
    db,
    producerPool,
    consumerPool,
    async close () {
      await producerPool.end()
      await consumerPool.end()
      await db.drop()
    }
  }
}

export const outbox = createOutbox({ producer: PRODUCER })

export const newEvent = (note: string): NewEvent => ({ type: TYPE, subject: { type: 'task', id: note }, data: { note } })

/** Commits `n` events in one producer transaction; returns their ids. */
export async function addEvents (pool: Pool, notes: string[]): Promise<string[]> {
  return withTransaction(pool, async (client) => {
    const ids: string[] = []
    for (const note of notes) ids.push((await outbox.add(client, newEvent(note))).id)
    return ids
  })
}

/** Effect rows per event id for the given ids. */
export async function effectCounts (pool: Pool, ids: string[]): Promise<Map<string, number>> {
  const { rows } = await pool.query<{ event_id: string, n: string }>(
    'SELECT event_id, count(*) AS n FROM bus_test_effects WHERE event_id = ANY($1::uuid[]) GROUP BY event_id', [ids])
  return new Map(rows.map((r) => [r.event_id, Number(r.n)]))
}

export async function waitFor<T> (fn: () => Promise<T | undefined | false>, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await fn()
    if (value !== undefined && value !== false) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(25)
  }
}

export const sleep = async (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

export async function freePort (): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address()
      srv.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0))
    })
  })
}

/** A private, empty, non-persistent redis-server; only this one is ever stopped by a test. */
export async function startPrivateRedis (port: number): Promise<{ url: string, stop: () => Promise<void> }> {
  const proc: ChildProcess = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' })
  const url = `redis://127.0.0.1:${port}`
  const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null })
  probe.on('error', () => {})
  await waitFor(async () => { try { await probe.connect(); return (await probe.ping()) === 'PONG' } catch { return false } },
    5000, `redis-server on ${port}`)
  probe.disconnect()
  return {
    url,
    stop: async () => {
      if (proc.exitCode !== null || proc.pid === undefined) return
      const exited = new Promise((resolve) => proc.once('exit', resolve))
      process.kill(proc.pid, 'SIGKILL')
      await exited
    }
  }
}

export const redisUrl = () => testEnv().redisUrl

/** Event ids of every entry in a stream, in stream order (duplicates kept). */
export async function streamEventIds (client: Redis, stream: string): Promise<string[]> {
  const entries = await client.xrange(stream, '-', '+')
  return entries.map(([, fields]) => {
    const i = fields.indexOf('envelope')
    return (JSON.parse(fields[i + 1] ?? 'null') as { id: string }).id
  })
}

/** Entries delivered to the group but not acked. */
export async function pendingCount (client: Redis, stream: string, group: string): Promise<number> {
  const summary = await client.xpending(stream, group) as [number, ...unknown[]]
  return Number(summary[0])
}

export async function consumedCount (pool: Pool, group: string, ids: string[]): Promise<number> {
  const { rows } = await pool.query<{ n: string }>(
    'SELECT count(*) AS n FROM consumed_events WHERE group_name = $1 AND event_id = ANY($2::uuid[])', [group, ids])
  return Number(rows[0]?.n ?? 0)
}

/** True once the group exists and has neither undelivered (lag) nor unacked (pending) entries. */
export async function groupDrained (client: Redis, stream: string, group: string): Promise<boolean> {
  try {
    const groups = await client.xinfo('GROUPS', stream) as unknown[][]
    const g = groups.find((x) => x[x.indexOf('name') + 1] === group)
    if (!g) return false
    return Number(g[g.indexOf('lag') + 1]) === 0 && Number(g[g.indexOf('pending') + 1]) === 0
  } catch {
    return false // no stream yet
  }
}
