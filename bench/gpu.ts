// The gpu-coordinator benchmark of issue 6 (SPEC §7), in one run, against fake Ollama nodes (@robbie/testing):
//   1. Added latency: /api/chat on a fake node directly, on the coordinator's own port (API key, no nginx), and
//      through nginx + API key + coordinator, called one at a time: non-streaming p50/p99 (1 token), and for
//      streams (20 tokens at 100 tok/s) the time to the first token and the gaps between tokens, p50/p99.
//      Target: p50 < 1 ms added, p99 < 10 ms.
//   2. Three nodes of different speeds (20 / 40 / 80 tok/s; maxInflight 2 and OLLAMA_NUM_PARALLEL 2 each) under a
//      closed loop of BENCH_GPU_CLIENTS callers: throughput and p95 latency through the coordinator (nginx + key)
//      against a plain round-robin proxy written here. Target: ≥ 1.5 × round-robin's throughput.
// Starts a fleet of its own (bench/lib/fleet.ts: own ports, database, Redis prefix, run dir; removed at the end)
// whose coordinator gets the fake nodes through ROBBIE_GPU_NODES (ROBBIE_GPU_ALLOW_LOOPBACK=true); limits raised
// by config for the bench (gateway limit_req, the services' limits, the coordinator's queue bounds).
//   node --import tsx bench/gpu.ts      (npm run bench -- gpu)
//   env: BENCH_PORT_BASE (5000), BENCH_REPS (3 rounds of part 1), BENCH_GPU_CALLS (300 non-streaming calls per
//        scenario and round), BENCH_GPU_STREAMS (20 streams per scenario and round), BENCH_GPU_LOAD_S (60 s per
//        load run), BENCH_GPU_CLIENTS (12), BENCH_GPU_LOAD_REPS (1 run of each in part 2)
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { startFakeOllama, type FakeOllama } from '@robbie/testing'
import { createBenchFleet, raisedLimitsEnv } from './lib/fleet.js'
import { benchSettings, machineLine, num, root } from './lib/machine.js'
import { chat, closeAgents, closedLoop, quantile, type CallResult, type LoadResult, type Target } from './lib/model-calls.js'
import { startRoundRobin } from './lib/round-robin.js'

const S = benchSettings()
const CALLS = num('BENCH_GPU_CALLS', 300)
const STREAMS = num('BENCH_GPU_STREAMS', 20)
const LOAD_S = num('BENCH_GPU_LOAD_S', 60)
const CLIENTS = num('BENCH_GPU_CLIENTS', 12)
const LOAD_REPS = num('BENCH_GPU_LOAD_REPS', 1)
const STREAM_TOKENS = 20
const STREAM_TPS = 100
const LOAD_TOKENS = 40
const SPEEDS = [20, 40, 80]
const LAT_MODEL = 'bench-latency:1b'
const LOAD_MODEL = 'bench-load:3b'
const RATE = 100000
const OWNER = { email: 'owner@bench.robbie.local', password: randomBytes(24).toString('base64url') }
const LIMITS = `ROBBIE_GATEWAY_RATE/BURST=${RATE}, ROBBIE_RATE_LIMIT_MULTIPLIER=${RATE}, ROBBIE_GPU_QUEUE_MAX and ROBBIE_GPU_QUEUE_PER_IDENTITY=10000`

const words = (n: number) => Array.from({ length: n }, (_v, i) => `w${i}`).join(' ')
const fakes: FakeOllama[] = []
const latencyNode = await startFakeOllama({ models: [{ name: LAT_MODEL, sizeMb: 1000, loaded: true }], tokensPerSecond: STREAM_TPS, parallel: 8, record: false, respond: () => words(STREAM_TOKENS) })
fakes.push(latencyNode)
for (const tps of SPEEDS) {
  fakes.push(await startFakeOllama({ models: [{ name: LOAD_MODEL, sizeMb: 2000, loaded: true }], tokensPerSecond: tps, parallel: 2, record: false, respond: () => words(LOAD_TOKENS) }))
}
const speedNodes = fakes.slice(1)
const nodesEnv = [
  { name: 'bench-latency', baseUrl: latencyNode.url, maxInflight: 8 },
  ...speedNodes.map((f, i) => ({ name: `bench-${SPEEDS[i]!}tps`, baseUrl: f.url, maxInflight: 2 }))
]

const fleet = createBenchFleet({
  portBase: S.portBase,
  env: {
    ...raisedLimitsEnv(RATE, OWNER),
    ROBBIE_GPU_NODES: JSON.stringify(nodesEnv),
    ROBBIE_GPU_ALLOW_LOOPBACK: 'true',
    ROBBIE_GPU_QUEUE_MAX: '10000',
    ROBBIE_GPU_QUEUE_PER_IDENTITY: '10000'
  }
})
const services = (JSON.parse(readFileSync(join(root, 'fleet.json'), 'utf8')) as { services: Array<{ name: string }> }).services
const coordinatorPort = S.portBase + 100 + services.findIndex((s) => s.name === 'gpu-coordinator') + 1

async function json (method: string, path: string, body: unknown, token?: string): Promise<Record<string, unknown>> {
  const res = await fetch(`${fleet.gateway}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body)
  })
  const text = await res.text()
  if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${text.slice(0, 300)}`)
  return JSON.parse(text) as Record<string, unknown>
}

/** The coordinator lists a model in /api/tags once a node that has it is eligible (polled healthy). */
async function waitForModels (key: string) {
  const deadline = Date.now() + 90_000
  while (Date.now() < deadline) {
    const res = await fetch(`${fleet.gateway}/api/gpu-coordinator/api/tags`, { headers: { authorization: `Bearer ${key}` } }).catch(() => undefined)
    const names = res?.ok ? ((await res.json()) as { models: Array<{ name: string }> }).models.map((m) => m.name) : []
    if (names.includes(LAT_MODEL) && names.includes(LOAD_MODEL)) return
    await new Promise((resolve) => setTimeout(resolve, 1000))
  }
  throw new Error('the coordinator did not list the fake nodes\' models within 90 s')
}

function check (r: CallResult, target: Target) {
  if (r.status !== 200) throw new Error(`${target.name}: ${r.status} ${r.body.slice(0, 300)}`)
}

// ---- part 1 ----
interface Samples { total: number[], ttft: number[], gaps: number[] }
async function latencyRound (t: Target, s: Samples, calls: number, streams: number) {
  const messages = [{ role: 'user', content: 'bench' }]
  for (let i = 0; i < calls; i++) {
    const r = await chat(t, { model: LAT_MODEL, messages, stream: false, options: { num_predict: 1 } })
    check(r, t)
    s.total.push(r.totalMs)
  }
  for (let i = 0; i < streams; i++) {
    const r = await chat(t, { model: LAT_MODEL, messages, stream: true })
    check(r, t)
    if (r.tokens !== STREAM_TOKENS) throw new Error(`${t.name}: ${r.tokens} tokens streamed, expected ${STREAM_TOKENS}`)
    s.ttft.push(r.ttftMs ?? NaN)
    s.gaps.push(...r.gapsMs)
  }
}

const f2 = (x: number) => x.toFixed(2)
const plus = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(2)}`

function printLatency (targets: Target[], samples: Map<string, Samples>) {
  const base = samples.get(targets[0]!.name)!
  console.log(`\nPart 1 — added latency, one call at a time — ${machineLine()}`)
  console.log(`${S.reps} interleaved rounds of ${CALLS} non-streaming calls (num_predict 1) and ${STREAMS} streams (${STREAM_TOKENS} tokens at ${STREAM_TPS} tok/s) per scenario; percentiles over all samples; "added" = the scenario's percentile − the direct one`)
  console.log('\n| scenario | n calls | p50 ms | p99 ms | added p50 | added p99 |')
  console.log('|---|--:|--:|--:|--:|--:|')
  for (const t of targets) {
    const s = samples.get(t.name)!
    const [p50, p99] = [quantile(s.total, 0.5), quantile(s.total, 0.99)]
    console.log(`| ${t.name} | ${s.total.length} | ${f2(p50)} | ${f2(p99)} | ${plus(p50 - quantile(base.total, 0.5))} | ${plus(p99 - quantile(base.total, 0.99))} |`)
  }
  console.log('\n| scenario (streaming) | n streams | TTFT p50 ms | TTFT p99 ms | added TTFT p50 | added TTFT p99 | n gaps | gap p50 ms | gap p99 ms | added gap p50 | added gap p99 |')
  console.log('|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|')
  for (const t of targets) {
    const s = samples.get(t.name)!
    const q = (xs: number[], p: number) => quantile(xs, p)
    console.log(`| ${t.name} | ${s.ttft.length} | ${f2(q(s.ttft, 0.5))} | ${f2(q(s.ttft, 0.99))} | ${plus(q(s.ttft, 0.5) - q(base.ttft, 0.5))} | ${plus(q(s.ttft, 0.99) - q(base.ttft, 0.99))} | ${s.gaps.length} | ${f2(q(s.gaps, 0.5))} | ${f2(q(s.gaps, 0.99))} | ${plus(q(s.gaps, 0.5) - q(base.gaps, 0.5))} | ${plus(q(s.gaps, 0.99) - q(base.gaps, 0.99))} |`)
  }
}

// ---- part 2 ----
function loadRow (name: string, r: LoadResult, baseline?: number) {
  const rps = r.completedInWindow / r.seconds
  const lat = r.calls.map((c) => c.totalMs / 1000)
  const byNode = new Map<string, number>()
  for (const c of r.calls) byNode.set(c.node ?? 'n/a', (byNode.get(c.node ?? 'n/a') ?? 0) + 1)
  const split = byNode.has('n/a') ? 'a third each, by construction' : [...byNode].sort().map(([n, k]) => `${n} ${k}`).join(', ')
  const tokens = rps * LOAD_TOKENS
  return `| ${name} | ${r.completedInWindow} | ${r.calls.length} | ${f2(rps)} | ${tokens.toFixed(0)} | ${f2(quantile(lat, 0.5))} | ${f2(quantile(lat, 0.95))} | ${r.errors} | ${baseline ? f2(rps / baseline) : '1.00'} | ${split} |`
}

try {
  console.log(`• bench fleet limits raised by config: ${LIMITS}`)
  await fleet.start()
  const login = await json('POST', '/api/auth/login', OWNER)
  const created = await json('POST', '/api/auth/keys', { name: 'bench-gpu', scopes: ['gpu-coordinator:generate'], expiresInDays: 1 }, String(login.accessToken))
  const key = String(created.key)
  const auth = { authorization: `Bearer ${key}` }
  console.log(`• owner API key ${String(created.id)} (scope gpu-coordinator:generate); fake nodes: ${nodesEnv.map((n) => `${n.name} ${n.baseUrl}`).join(', ')}`)
  await waitForModels(key)

  const targets: Target[] = [
    { name: 'fake node direct', base: latencyNode.url, headers: {} },
    { name: 'coordinator port + API key', base: `http://127.0.0.1:${coordinatorPort}/api/gpu-coordinator`, headers: auth },
    { name: 'nginx + API key + coordinator', base: `${fleet.gateway}/api/gpu-coordinator`, headers: auth }
  ]
  const samples = new Map(targets.map((t) => [t.name, { total: [], ttft: [], gaps: [] } as Samples]))
  for (const t of targets) await latencyRound(t, { total: [], ttft: [], gaps: [] }, 50, 3) // warm-up: connections, JIT, caches
  for (let round = 0; round < S.reps; round++) {
    // a rotating order, so that drift of the shared machine does not favour one scenario
    for (const i of targets.keys()) {
      const t = targets[(i + round) % targets.length]!
      await latencyRound(t, samples.get(t.name)!, CALLS, STREAMS)
    }
  }
  printLatency(targets, samples)

  const rr = await startRoundRobin(speedNodes.map((f) => f.url))
  try {
    const body = { model: LOAD_MODEL, messages: [{ role: 'user', content: 'bench' }], stream: false }
    const coord: Target = { name: 'coordinator', base: `${fleet.gateway}/api/gpu-coordinator`, headers: auth }
    const plain: Target = { name: 'round-robin', base: rr.url, headers: {} }
    const runs: Array<{ name: string, r: LoadResult }> = []
    for (let rep = 0; rep < LOAD_REPS; rep++) {
      for (const t of rep % 2 === 0 ? [plain, coord] : [coord, plain]) {
        console.log(`• load: ${t.name}, ${CLIENTS} clients, ${LOAD_S} s`)
        const r = await closedLoop(t, body, CLIENTS, LOAD_S)
        if (r.errors > 0) console.error(`  ${r.errors} errors, first: ${r.firstError ?? '?'}`)
        runs.push({ name: t.name, r })
        // let every node finish what the last run left in flight before the next starts
        while (speedNodes.some((f) => f.inflight() > 0)) await new Promise((resolve) => setTimeout(resolve, 200))
      }
    }
    const rrRuns = runs.filter((x) => x.name === 'round-robin')
    const rrMedian = quantile(rrRuns.map((x) => x.r.completedInWindow / x.r.seconds), 0.5)
    const capacity = SPEEDS.reduce((s, tps) => s + 2 * tps / LOAD_TOKENS, 0)
    const rrBound = SPEEDS.length * 2 * Math.min(...SPEEDS) / LOAD_TOKENS
    console.log(`\nPart 2 — three nodes at ${SPEEDS.join(' / ')} tok/s (maxInflight 2, parallel 2 each), ${LOAD_TOKENS}-token non-streaming chats, closed loop of ${CLIENTS} clients, ${LOAD_S} s per run — ${machineLine()}`)
    console.log(`capacity of the three nodes: ${f2(capacity)} calls/s; round-robin's bound (each node a third of the calls, the slowest saturated): ${f2(rrBound)} calls/s`)
    console.log('\n| scenario | calls done in the window | n latencies | calls/s | tokens/s | p50 s | p95 s | errors | calls/s ÷ round-robin | calls per node |')
    console.log('|---|--:|--:|--:|--:|--:|--:|--:|--:|---|')
    for (const x of runs) console.log(loadRow(x.name, x.r, rrMedian))
  } finally {
    await rr.close()
  }
} finally {
  closeAgents()
  await fleet.cleanUp()
  await Promise.all(fakes.map((f) => f.close()))
}
