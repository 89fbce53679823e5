// The chat benchmark of issue 7 (SPEC §3.1), in one run, through nginx like users:
//   1. Added time to first token: streaming answers from a fake Ollama node called directly (ollama client),
//      through nginx + the gpu-coordinator (ollama client, API key), and the full path: a browser-like client
//      (owner's JWT, Origin) → nginx → chat's /ws → coordinator → node, one message at a time, the three
//      interleaved; p50/p99 of the time to the first text, and the difference to the direct node.
//   2. Idle sessions on ONE chat instance: WebSockets with API keys (members invited through the API, a key each;
//      at most 10 sockets per user, so BENCH_CHAT_PER_USER per user), each sending `hello`, then a `ping`
//      every BENCH_CHAT_PING_S; a ramp of BENCH_CHAT_STEPS (500 → 1000 → 2500 → 5000, target 5,000), each
//      held BENCH_CHAT_HOLD_S; sessions held, failures, chat's and nginx's RSS (/proc/<pid>/status, pids from
//      the bench fleet's fleet.json) and RSS per session.
// Starts a fleet of its own (bench/lib/fleet.ts: own ports, database, Redis prefix, run dir; removed at the end)
// with limits raised by config (gateway limit_req, the services' limits, the coordinator's queue bounds).
//   node --import tsx bench/chat.ts      (npm run bench -- chat)
//   env: BENCH_PORT_BASE (5000), BENCH_CHAT_MESSAGES (200 per scenario), BENCH_CHAT_TPS (100 tok/s of the node),
//        BENCH_CHAT_STEPS (500,1000,2500,5000), BENCH_CHAT_PER_USER (8), BENCH_CHAT_HOLD_S (30),
//        BENCH_CHAT_PING_S (20), BENCH_CHAT_CONCURRENCY (20 handshakes at a time)
import { randomBytes } from 'node:crypto'
import { readFileSync, statSync } from 'node:fs'
import { loadavg } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { Ollama } from 'ollama'
import { startFakeOllama } from '@robbie/testing'
import { createBenchFleet, raisedLimitsEnv } from './lib/fleet.js'
import { benchSettings, machineLine, num } from './lib/machine.js'
import { quantile } from './lib/model-calls.js'
import { gatewayApi, ownerSession, provisionUsers } from './lib/chat-users.js'
import { childrenOf, createSessionPool, fdLimitOf, fdsOf, memoryOf } from './lib/chat-sessions.js'
import { chatSocket, ollamaStream, type Sample } from './lib/chat-ttft.js'

const S = benchSettings()
const MESSAGES = num('BENCH_CHAT_MESSAGES', 200)
const TPS = num('BENCH_CHAT_TPS', 100)
const STEPS = (process.env.BENCH_CHAT_STEPS || '500,1000,2500,5000').split(',').map(Number)
const PER_USER = num('BENCH_CHAT_PER_USER', 8)
const HOLD_S = num('BENCH_CHAT_HOLD_S', 30)
const PING_S = num('BENCH_CHAT_PING_S', 20)
const CONCURRENCY = num('BENCH_CHAT_CONCURRENCY', 20)
const MODEL = 'bench-chat:3b'
const REPLY = Array.from({ length: 40 }, (_v, i) => `w${i}`).join(' ')
const RATE = 100000
const OWNER = { email: 'owner@bench.robbie.local', password: randomBytes(24).toString('base64url') }
const LIMITS = `ROBBIE_GATEWAY_RATE/BURST=${RATE}, ROBBIE_RATE_LIMIT_MULTIPLIER=${RATE}, ROBBIE_GPU_QUEUE_MAX and ROBBIE_GPU_QUEUE_PER_IDENTITY=10000`

const node = await startFakeOllama({ models: [{ name: MODEL, sizeMb: 2000, loaded: true }], tokensPerSecond: TPS, parallel: 8, record: false, respond: () => REPLY })
const fleet = createBenchFleet({
  portBase: S.portBase,
  env: {
    ...raisedLimitsEnv(RATE, OWNER),
    ROBBIE_GPU_NODES: JSON.stringify([{ name: 'bench-node', baseUrl: node.url, maxInflight: 8 }]),
    ROBBIE_GPU_ALLOW_LOOPBACK: 'true',
    ROBBIE_GPU_DEFAULT_MODEL: MODEL,
    ROBBIE_GPU_FAST_MODEL: MODEL,
    ROBBIE_GPU_QUEUE_MAX: '10000',
    ROBBIE_GPU_QUEUE_PER_IDENTITY: '10000'
  }
})
const api = gatewayApi(fleet.gateway)
const wsUrl = `ws://127.0.0.1:${S.portBase}/ws`
const f1 = (x: number) => x.toFixed(1)
const f2 = (x: number) => x.toFixed(2)
const plus = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(2)}`

/** The load average, sampled every 5 s while `fn` runs: "min–max (median)". */
async function underLoad<T> (fn: () => Promise<T>): Promise<{ result: T, load: string }> {
  const samples = [loadavg()[0]!]
  const timer = setInterval(() => samples.push(loadavg()[0]!), 5000)
  try {
    const result = await fn()
    samples.push(loadavg()[0]!)
    return { result, load: `${f1(Math.min(...samples))}–${f1(Math.max(...samples))} (median ${f1(quantile(samples, 0.5))})` }
  } finally {
    clearInterval(timer)
  }
}

const pids = () => JSON.parse(readFileSync(join(fleet.runDir, 'fleet.json'), 'utf8')) as Record<string, { pid: number | null, restarts: number }>

async function waitForModel (key: string) {
  const deadline = Date.now() + 90_000
  while (Date.now() < deadline) {
    const res = await fetch(`${fleet.gateway}/api/gpu-coordinator/api/tags`, { headers: { authorization: `Bearer ${key}` } }).catch(() => undefined)
    const names = res?.ok ? ((await res.json()) as { models: Array<{ name: string }> }).models.map((m) => m.name) : []
    if (names.includes(MODEL)) return
    await sleep(1000)
  }
  throw new Error('the coordinator did not list the fake node\'s model within 90 s')
}

// ---- part 1: time to first token ----
async function ttft (coordinatorKey: string, ownerToken: string) {
  const direct = new Ollama({ host: node.url })
  const coordinator = new Ollama({ host: `${fleet.gateway}/api/gpu-coordinator`, headers: { authorization: `Bearer ${coordinatorKey}` } })
  const socket = await chatSocket(wsUrl, ownerToken, `http://localhost:${S.portBase}`)
  if (socket.welcome.modelAvailable !== true) throw new Error('chat says no model is available')
  const scenarios: Array<{ name: string, run: (i: number) => Promise<Sample> }> = [
    { name: 'fake node direct (ollama client)', run: async (i) => await ollamaStream(direct, MODEL, `bench message ${i}`) },
    { name: 'nginx + API key + coordinator (ollama client)', run: async (i) => await ollamaStream(coordinator, MODEL, `bench message ${i}`) },
    { name: 'client → nginx → chat /ws → coordinator → node', run: async (i) => await socket.send(`bench message ${i}`) }
  ]
  const samples = new Map(scenarios.map((s) => [s.name, [] as Sample[]]))
  try {
    for (let i = 0; i < 10; i++) for (const s of scenarios) await s.run(i) // warm-up: connections, JIT, caches
    for (let i = 0; i < MESSAGES; i++) {
      // a rotating order, so that drift of the shared machine does not favour one scenario
      for (const k of scenarios.keys()) {
        const s = scenarios[(k + i) % scenarios.length]!
        const r = await s.run(i)
        if (r.text.trim() !== REPLY) throw new Error(`${s.name}: the answer was ${JSON.stringify(r.text.slice(0, 100))}`)
        samples.get(s.name)!.push(r)
      }
    }
  } finally {
    await socket.close()
  }
  return { scenarios: scenarios.map((s) => s.name), samples }
}

function printTtft (names: string[], samples: Map<string, Sample[]>, load: string) {
  const q = (xs: Sample[], f: (s: Sample) => number | undefined, p: number) => quantile(xs.map(f).filter((x): x is number => x !== undefined), p)
  const base = samples.get(names[0]!)!
  const [b50, b99] = [q(base, (s) => s.ttftMs, 0.5), q(base, (s) => s.ttftMs, 0.99)]
  console.log(`\nPart 1 — added time to first token, one message at a time — ${machineLine()}; load average ${load}`)
  console.log(`${MESSAGES} messages per scenario, interleaved in a rotating order after 10 warm-ups each; the node streams ${REPLY.split(' ').length} tokens (${REPLY.length} characters) at ${TPS} tok/s with no prompt delay; "added" = the scenario's percentile − the direct node's`)
  console.log('"releasable": when chat\'s output redactor could first let text out (more than 48 characters held back, cut at whitespace): the earliest a chat.delta can leave chat')
  console.log('\n| scenario | n | TTFT p50 ms | TTFT p99 ms | added p50 | added p99 | releasable p50 / p99 ms | accepted p50 / p99 ms | answer done p50 / p99 ms |')
  console.log('|---|--:|--:|--:|--:|--:|--:|--:|--:|')
  for (const name of names) {
    const xs = samples.get(name)!
    const [t50, t99] = [q(xs, (s) => s.ttftMs, 0.5), q(xs, (s) => s.ttftMs, 0.99)]
    const rel = xs[0]?.releasableMs !== undefined ? `${f2(q(xs, (s) => s.releasableMs, 0.5))} / ${f2(q(xs, (s) => s.releasableMs, 0.99))}` : '—'
    const acc = xs[0]?.acceptedMs !== undefined ? `${f2(q(xs, (s) => s.acceptedMs, 0.5))} / ${f2(q(xs, (s) => s.acceptedMs, 0.99))}` : '—'
    console.log(`| ${name} | ${xs.length} | ${f2(t50)} | ${f2(t99)} | ${plus(t50 - b50)} | ${plus(t99 - b99)} | ${rel} | ${acc} | ${f2(q(xs, (s) => s.totalMs, 0.5))} / ${f2(q(xs, (s) => s.totalMs, 0.99))} |`)
  }
  const full = samples.get(names[2]!)!
  const [r50, r99] = [q(base, (s) => s.releasableMs, 0.5), q(base, (s) => s.releasableMs, 0.99)]
  console.log(`\nfull path − direct node's releasable point (the stack's own cost, without the redactor's hold): p50 ${plus(q(full, (s) => s.ttftMs, 0.5) - r50)} ms, p99 ${plus(q(full, (s) => s.ttftMs, 0.99) - r99)} ms`)
}

// ---- part 2: idle sessions ----
interface StepRow {
  target: number
  held: number
  openS: number
  failed: string
  dropped: string
  pings: number
  pongs: number
  rtt50: number
  rtt99: number
  chatMb: number
  chatFds: number
  nginxMb: number
  nginxWorkers: number
  clientMb: number
}

function nginxMb (masterPid: number) {
  const workers = childrenOf(masterPid)
  return { mb: [masterPid, ...workers].reduce((sum, pid) => sum + memoryOf(pid).rssMb, 0), workers: workers.length }
}
const counts = (m: Map<string, number>) => [...m].map(([k, n]) => `${n} × ${k}`).join(', ') || '0'

async function idleSessions (keys: string[]) {
  const state = pids()
  const chatPid = state.chat?.pid
  const nginxPid = state.nginx?.pid
  if (!chatPid || !nginxPid) throw new Error('fleet.json names no chat or nginx pid')
  await sleep(5000) // let the set-up's requests settle before the baseline
  const base = { chatMb: memoryOf(chatPid).rssMb, nginxMb: nginxMb(nginxPid).mb, clientMb: process.memoryUsage().rss / 2 ** 20 }
  const workers = childrenOf(nginxPid)
  console.log(`• baseline before any session: chat (pid ${chatPid}) RSS ${f1(base.chatMb)} MB, nginx (pid ${nginxPid} + workers) ${f1(base.nginxMb)} MB, bench client ${f1(base.clientMb)} MB`)
  console.log(`• open-file limits: chat ${fdLimitOf(chatPid)}, nginx workers ${workers.map(fdLimitOf).join(' / ')}, this client ${fdLimitOf(process.pid)}; nginx worker_connections 16384 per worker (gateway/nginx.conf.template), ${workers.length} workers`)
  const pool = createSessionPool({ url: wsUrl, pingMs: PING_S * 1000, helloTimeoutMs: 30_000 })
  const rows: StepRow[] = []
  let opened = 0
  try {
    for (const target of STEPS) {
      const started = Date.now()
      await pool.openMany(keys.slice(opened, target), CONCURRENCY)
      opened = target
      const openS = (Date.now() - started) / 1000
      console.log(`• step ${target}: ${pool.held()} held after ${f1(openS)} s of handshakes; holding ${HOLD_S} s`)
      pool.takeWindow()
      await sleep(HOLD_S * 1000)
      const w = pool.takeWindow()
      const n = nginxMb(nginxPid)
      rows.push({
        target,
        held: pool.held(),
        openS,
        failed: counts(pool.failed()),
        dropped: counts(pool.dropped()),
        pings: w.pings,
        pongs: w.pongs,
        rtt50: quantile(w.rtts, 0.5),
        rtt99: quantile(w.rtts, 0.99),
        chatMb: memoryOf(chatPid).rssMb,
        chatFds: fdsOf(chatPid),
        nginxMb: n.mb,
        nginxWorkers: n.workers,
        clientMb: process.memoryUsage().rss / 2 ** 20
      })
    }
  } finally {
    await pool.closeAll()
  }
  await sleep(10_000)
  const after = memoryOf(chatPid)
  const restarts = pids().chat?.restarts ?? 0
  return { base, rows, afterClose: after.rssMb, hwm: after.hwmMb, restarts, chatPid }
}

function printIdle (r: Awaited<ReturnType<typeof idleSessions>>, users: number, load: string) {
  console.log(`\nPart 2 — idle robbie.chat.v1 sessions on one chat instance, through nginx — ${machineLine()}; load average ${load}`)
  console.log(`API keys of ${users} members (${PER_USER} sessions each; chat allows 10 per user); each session: hello, then a ping every ${PING_S} s (first at a random offset); ${CONCURRENCY} handshakes at a time; each step held ${HOLD_S} s before measuring; per session = (RSS − baseline) ÷ sessions held`)
  console.log(`baseline: chat RSS ${f1(r.base.chatMb)} MB, nginx ${f1(r.base.nginxMb)} MB, bench client ${f1(r.base.clientMb)} MB`)
  console.log('\n| target | held | handshakes s | failed before welcome | dropped after | pings / pongs in the hold | ping RTT p50 / p99 ms | chat RSS MB | chat KB / session | chat KB / session added this step | chat fds | nginx RSS MB (master + workers) | nginx KB / session | bench client RSS MB |')
  console.log('|--:|--:|--:|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|')
  let prev = { held: 0, chatMb: r.base.chatMb }
  for (const x of r.rows) {
    const per = (mb: number, b: number) => x.held > 0 ? ((mb - b) * 1024 / x.held).toFixed(1) : '—'
    const marginal = x.held > prev.held ? ((x.chatMb - prev.chatMb) * 1024 / (x.held - prev.held)).toFixed(1) : '—'
    console.log(`| ${x.target} | ${x.held} | ${f1(x.openS)} | ${x.failed} | ${x.dropped} | ${x.pings} / ${x.pongs} | ${f2(x.rtt50)} / ${f2(x.rtt99)} | ${f1(x.chatMb)} | ${per(x.chatMb, r.base.chatMb)} | ${marginal} | ${x.chatFds} | ${f1(x.nginxMb)} (1 + ${x.nginxWorkers}) | ${per(x.nginxMb, r.base.nginxMb)} | ${f1(x.clientMb)} |`)
    prev = x
  }
  const last = r.rows.at(-1)
  console.log(`\nchat after closing every session (+10 s): RSS ${f1(r.afterClose)} MB (peak VmHWM ${f1(r.hwm)} MB); chat restarts during the run: ${r.restarts}`)
  if (last) console.log(`target ${STEPS.at(-1)!} sessions: ${last.held >= STEPS.at(-1)! ? 'met' : 'NOT met'} (${last.held} held at the last step)`)
}

try {
  console.log(`• bench fleet limits raised by config: ${LIMITS}; file descriptors: this shell's limit applies to nginx, chat and this client`)
  await fleet.start()
  const owner = ownerSession(api, OWNER)
  const coordinatorKey = String((await api('POST', '/api/auth/keys', { name: 'bench-chat-gpu', scopes: ['gpu-coordinator:generate'], expiresInDays: 1 }, await owner())).key)
  await waitForModel(coordinatorKey)

  const part1 = await underLoad(async () => await ttft(coordinatorKey, await owner()))
  printTtft(part1.result.scenarios, part1.result.samples, part1.load)

  const errorLog = join(fleet.runDir, 'logs', 'gateway.error.log')
  const logFrom = statSync(errorLog, { throwIfNoEntry: false })?.size ?? 0
  const users = Math.ceil(Math.max(...STEPS) / PER_USER)
  console.log(`\n• creating ${users} members through the API (invite, accept, key with chat:read + chat:write)`)
  const made = Date.now()
  const members = await provisionUsers(api, owner, users, 4)
  console.log(`  done in ${f1((Date.now() - made) / 1000)} s`)
  const keys = Array.from({ length: Math.max(...STEPS) }, (_v, i) => members[i % users]!.key)
  const part2 = await underLoad(async () => await idleSessions(keys))
  printIdle(part2.result, users, part2.load)
  // what nginx logged from the users' creation on (the start's readiness probes and its setrlimit alerts are before)
  const errors = readFileSync(errorLog).subarray(logFrom).toString('utf8').split('\n').filter((l) => /\[(alert|crit|emerg|error)\]/.test(l))
  console.log(`nginx error log during part 2: ${errors.length} lines of level error or above${errors.length > 0 ? `; first: ${errors.slice(0, 3).join(' | ')}` : ''}`)
} finally {
  await fleet.cleanUp()
  await node.close()
}
