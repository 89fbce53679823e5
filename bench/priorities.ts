// Priorities with 100,000 open items for one user (issue 5's benchmark; CONVENTIONS.md §8).
//   (a) rescore, computation alone: every open item through P1's scoreItem (storedScore, default weights) and the
//       comparison with the stored values (housekeeping/rescore.ts changedScores), in this process, on rows
//       already loaded; median of BENCH_RESCORE_REPS runs. Loading the rows is timed separately.
//   (b) rescore, the write: one UPDATE … FROM unnest(…) of the changed rows (all of them on the first rescore,
//       since the seed stores zeros), then the same rescore again, which finds nothing to write.
//   (c) memory: process RSS and V8 heap before loading the rows, after loading and after computing.
//   (d) GET /api/priorities/surface?top=10 through nginx with the owner's JWT: cached (wrk, closed loop), and just
//       after an invalidation (the company surface version incremented in Redis before each request, so every
//       request computes the surface over the 100k items; sequential fetches, BENCH_MISSES of them).
// Seeding: one INSERT … SELECT generate_series (not the dedup intake): 70 % emails (random sender tier/score,
// deadline, awaiting reply), 25 % tasks with task_details (random priority, due date, category), 5 % meetings,
// all open, owned by the bench fleet's owner, stored scores zero. Not timed.
// Limits raised by config: ROBBIE_RATE_LIMIT_MULTIPLIER=100000, ROBBIE_GATEWAY_RATE / ROBBIE_GATEWAY_BURST=100000.
// Starts a fleet of its own (own ports, database robbie_bench_<pid>, Redis prefix bench:<pid>:, run dir) and
// removes all of it at the end, also on errors. The shared Postgres and Redis are only used.
//   node --import tsx bench/priorities.ts      (npm run bench -- priorities)
//   env: BENCH_ITEMS (100000), BENCH_RESCORE_REPS (5), BENCH_MISSES (20), BENCH_PORT_BASE (5000), BENCH_DURATION_S (10),
//        BENCH_REPS (3), BENCH_THREADS (2), BENCH_CONNECTIONS (50), DATABASE_URL (admin), REDIS_URL
import { randomBytes } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import { createPool } from '@robbie/db'
import { createRedis } from '@robbie/bus'
import { roleUrl } from '../scripts/lib/db-roles.mjs'
import { storedScore } from '../services/priorities/src/modules/items/index.js'
import { createHousekeepingRepository } from '../services/priorities/src/modules/housekeeping/housekeeping.repository.js'
import { changedScores } from '../services/priorities/src/modules/housekeeping/rescore.js'
import { createBenchFleet, raisedLimitsEnv } from './lib/fleet.js'
import { benchSettings, machineLine, num } from './lib/machine.js'
import { ensureWrk, median, wrk, wrkVersion, type WrkResult } from './lib/wrk.js'

const S = benchSettings()
const N = num('BENCH_ITEMS', 100000)
const RESCORE_REPS = num('BENCH_RESCORE_REPS', 5)
const MISSES = num('BENCH_MISSES', 20)
const RATE = 100000
const OWNER_EMAIL = 'owner@bench.robbie.local'
const OWNER_PASSWORD = randomBytes(24).toString('base64url')
const LIMITS = `ROBBIE_RATE_LIMIT_MULTIPLIER=${RATE}, ROBBIE_GATEWAY_RATE=${RATE} and ROBBIE_GATEWAY_BURST=${RATE} (nginx limit_req)`

const fleet = createBenchFleet({
  portBase: S.portBase,
  env: {
    ...raisedLimitsEnv(RATE, { email: OWNER_EMAIL, password: OWNER_PASSWORD })
  }
})

async function call (method: string, path: string, token?: string, body?: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${fleet.gateway}${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {})
  })
  const text = await res.text()
  if (res.status !== 200) throw new Error(`${method} ${path} answered ${res.status}: ${text.slice(0, 300)}`)
  return JSON.parse(text) as Record<string, unknown>
}

const SEED = `
INSERT INTO items (id, kind, title, owner_user_id, assignee_user_id, visibility, domain, status, deadline, awaiting_reply,
  sender_email, sender_tier, sender_score, expected_response_hours, body_preview, details, last_activity_at, created_at, updated_at)
SELECT gen_random_uuid(), k.kind, k.kind || ' ' || g || ' about the renewal', $1::uuid, $1::uuid,
  CASE WHEN k.kind = 'task' THEN 'private' ELSE 'owner' END, 'human', 'open',
  CASE WHEN g % 5 = 0 THEN NULL ELSE now() + ((g % 400) - 40) * interval '1 hour' END,
  k.kind = 'email' AND g % 3 = 0,
  CASE WHEN k.kind = 'email' THEN 'sender' || (g % 500) || '@bench.test' END,
  CASE WHEN k.kind = 'email' THEN (ARRAY['founder','c_level','vp','director','manager','individual','unknown'])[1 + g % 7] END,
  CASE WHEN k.kind = 'email' THEN g % 101 END,
  CASE WHEN k.kind = 'email' THEN (ARRAY[4, 24, 48, 72])[1 + g % 4] END,
  CASE WHEN g % 11 = 0 THEN 'urgent: please answer today' ELSE 'see the notes below' END,
  CASE WHEN k.kind = 'meeting' THEN jsonb_build_object('meetingStart', now() + (g % 160) * interval '1 hour',
    'attendees', jsonb_build_array(jsonb_build_object('email', 'a' || (g % 50) || '@bench.test', 'name', 'A', 'tier', 'vp', 'score', g % 101)))
    ELSE '{}'::jsonb END,
  now() - (g % 100) * interval '1 hour', now() - (g % 100) * interval '1 hour', now()
FROM generate_series(1, $2::int) AS g,
  LATERAL (SELECT CASE WHEN g % 20 = 0 THEN 'meeting' WHEN g % 4 = 1 THEN 'task' ELSE 'email' END AS kind) AS k`
const SEED_TASKS = `
INSERT INTO task_details (item_id, priority, category, due_at, description)
SELECT id, (ARRAY['low','medium','high','critical'])[1 + (abs(hashtext(id::text)) % 4)],
  (ARRAY['general','security','opportunity','meeting','research'])[1 + (abs(hashtext(id::text)) % 5)], deadline, repeat('x', abs(hashtext(id::text)) % 600)
FROM items WHERE kind = 'task'`

const mb = (bytes: number) => (bytes / 1048576).toFixed(0)
const pct = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)]! }

ensureWrk()
try {
  console.log(`• bench fleet limits raised by config: ${LIMITS}`)
  await fleet.start()
  const login = await call('POST', '/api/auth/login', undefined, { email: OWNER_EMAIL, password: OWNER_PASSWORD })
  const token = login.accessToken as string
  const me = await call('GET', '/api/auth/me', token)
  const ownerId = (me.id ?? (me.user as { id?: string } | undefined)?.id) as string
  const adminUrl = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres'
  const pool = createPool({ connectionString: roleUrl(adminUrl, fleet.dbName, 'robbie_priorities', fleet.runDir), schema: 'priorities', applicationName: 'bench:priorities', statementTimeoutMs: 600_000, max: 2 })
  try {
    let t = performance.now()
    await pool.query(SEED, [ownerId, N])
    await pool.query(SEED_TASKS)
    await pool.query('ANALYZE items; ANALYZE task_details')
    console.log(`• seeded ${N} open items for the owner in ${((performance.now() - t) / 1000).toFixed(1)} s (one INSERT … SELECT; not timed below)`)

    const repo = createHousekeepingRepository()
    global.gc?.()
    const m0 = process.memoryUsage()
    t = performance.now()
    const items = await repo.openItems(pool)
    const loadMs = performance.now() - t
    const m1 = process.memoryUsage()
    const now = new Date()
    const computeMs: number[] = []
    let changed = changedScores(items, now, storedScore)
    for (let i = 0; i < RESCORE_REPS; i++) {
      t = performance.now()
      changed = changedScores(items, now, storedScore)
      computeMs.push(performance.now() - t)
    }
    const m2 = process.memoryUsage()
    t = performance.now()
    const written = await repo.writeScores(pool, changed)
    const writeMs = performance.now() - t
    const reloaded = await repo.openItems(pool)
    t = performance.now()
    const again = changedScores(reloaded, now, storedScore)
    const againMs = performance.now() - t
    t = performance.now()
    const writtenAgain = await repo.writeScores(pool, again)
    const writeAgainMs = performance.now() - t

    // ---- the surface through nginx ----
    const surfaceUrl = `${fleet.gateway}/api/priorities/surface?top=10`
    const headers = [`Authorization: Bearer ${token}`]
    // the body's size decides much of the cost: the surface lists every other open item under `submerged`
    const probe: number[] = []
    let bytes = 0
    for (let i = 0; i < 5; i++) {
      t = performance.now()
      const res = await fetch(surfaceUrl, { headers: { authorization: `Bearer ${token}` } })
      bytes = (await res.arrayBuffer()).byteLength
      probe.push(performance.now() - t)
      if (res.status !== 200) throw new Error(`surface answered ${res.status}`)
    }
    console.log(`• surface body ${(bytes / 1048576).toFixed(2)} MB; 5 sequential fetches: ${probe.map((x) => x.toFixed(0)).join(' / ')} ms (the first may be a miss)`)
    await wrk(surfaceUrl, S.warmupS, S, headers)
    const cached: WrkResult[] = []
    for (let rep = 0; rep < S.reps; rep++) {
      const r = await wrk(surfaceUrl, S.durationS, S, headers)
      if (r.errors > 0) throw new Error(`surface (cached): ${r.errors} errors of ${r.requests}`)
      cached.push(r)
      console.log(`  run ${rep + 1} surface cached  ${r.rps.toFixed(0).padStart(6)} req/s  p50 ${r.p50.toFixed(2)} ms  p99 ${r.p99.toFixed(2)} ms`)
    }
    const redis = createRedis({ url: process.env.REDIS_URL || 'redis://127.0.0.1:6379', prefix: fleet.prefix, name: 'bench' })
    const misses: number[] = []
    try {
      await redis.ready()
      for (let i = 0; i < MISSES; i++) {
        await redis.client.incr(`${fleet.prefix}priorities:ver:company`)
        t = performance.now()
        await call('GET', '/api/priorities/surface?top=10', token)
        misses.push(performance.now() - t)
      }
    } finally { redis.client.disconnect() }

    const p = (xs: WrkResult[], k: 'p50' | 'p99' | 'rps') => median(xs.map((x) => x[k]))
    console.log(`\nPriorities with ${N} open items for one user — ${machineLine()}`)
    console.log(`rescore in-process (tsx); ${wrkVersion()}: ${S.threads} threads, ${S.connections} connections, ${S.durationS} s × ${S.reps} runs (medians); misses: ${MISSES} sequential fetches`)
    console.log(`bench fleet: ${LIMITS}; LOG_LEVEL=warn; wrk, nginx, Postgres and the services share the same cores`)
    console.log('\n| scenario | n | median / p50 | p99 / max | notes |')
    console.log('|---|--:|--:|--:|---|')
    console.log(`| (a) rescore computation, ${items.length} items | ${RESCORE_REPS} runs | ${median(computeMs).toFixed(0)} ms | ${Math.max(...computeMs).toFixed(0)} ms | ${(items.length / (median(computeMs) / 1000)).toFixed(0)} items/s; target < 1000 ms |`)
    console.log(`| load of the open rows (SELECT + map) | 1 | ${loadMs.toFixed(0)} ms | | not part of (a) |`)
    console.log(`| (b) write of changed rows (first rescore) | ${written} rows | ${writeMs.toFixed(0)} ms | | one UPDATE … FROM unnest |`)
    console.log(`| (b) second rescore: computation / write | ${writtenAgain} rows | ${againMs.toFixed(0)} ms / ${writeAgainMs.toFixed(0)} ms | | nothing changed, nothing written |`)
    console.log(`| (c) memory: rows loaded | | RSS +${mb(m1.rss - m0.rss)} MB, heap +${mb(m1.heapUsed - m0.heapUsed)} MB | | RSS ${mb(m1.rss)} MB |`)
    console.log(`| (c) memory: after computing | | RSS +${mb(m2.rss - m0.rss)} MB, heap +${mb(m2.heapUsed - m0.heapUsed)} MB | | vs before loading |`)
    console.log(`| (d) surface body | | ${(bytes / 1048576).toFixed(2)} MB | | top N surfaced, ≤ 50 briefs per quadrant submerged |`)
    console.log(`| (d) surface, cached (wrk) | ${cached.reduce((a, r) => a + r.requests, 0)} | ${p(cached, 'p50').toFixed(2)} ms | ${p(cached, 'p99').toFixed(2)} ms | ${p(cached, 'rps').toFixed(0)} req/s; target p99 < 20 ms |`)
    console.log(`| (d) surface, just after an invalidation | ${MISSES} | ${pct(misses, 0.5).toFixed(1)} ms | ${pct(misses, 0.99).toFixed(1)} ms | computed over all ${N} items per request |`)
  } finally {
    await pool.end()
  }
} finally {
  await fleet.cleanUp()
}
