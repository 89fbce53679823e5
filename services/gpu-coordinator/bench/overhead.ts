// Where the coordinator's per-call overhead goes (issue 6's added-latency target), one call at a time, no nginx:
//   1. POST /api/chat (1 token, not streamed) on a fake node directly and on the coordinator's port with an API key;
//   2. the kit's share: GET /api/version on the node, GET healthz on the coordinator (public: the rate limit's
//      Redis EVAL) and GET /api/version with the key (also the revoked-key SISMEMBER; the key itself is cached);
//   3. with BENCH_PHASES=1, a second coordinator started from the bench coordinator's own environment (Linux:
//      /proc/<pid>/environ) with bench/phases.ts preloaded: the phases of a call inside the coordinator.
// A bench fleet of its own (bench/lib/fleet.ts: ports, database, Redis prefix, run dir; removed at the end).
//   node --import tsx services/gpu-coordinator/bench/overhead.ts
//   env: BENCH_PORT_BASE (5750), BENCH_REPS (3 rounds, rotating order), BENCH_GPU_CALLS (400 per scenario and round),
//        BENCH_PHASES (0)
import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { readFileSync, rmSync } from 'node:fs'
import { Agent, request } from 'node:http'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { startFakeOllama } from '@robbie/testing'
import { createBenchFleet } from '../../../bench/lib/fleet.js'
import { benchSettings, machineLine, num, root } from '../../../bench/lib/machine.js'
import { chat, closeAgents, quantile, type Target } from '../../../bench/lib/model-calls.js'

const S = benchSettings()
const PORT_BASE = num('BENCH_PORT_BASE', 5750)
const CALLS = num('BENCH_GPU_CALLS', 400)
const PHASES = process.env.BENCH_PHASES === '1'
const MODEL = 'bench-latency:1b'
const OWNER = { email: 'owner@bench.robbie.local', password: randomBytes(24).toString('base64url') }
const PHASE_NAMES = ['kit hooks (auth, rate limit, body, validation)', 'handler until the request is written to the node', 'node: request → response headers', 'node: headers → end of body', 'end of body → reply sent', 'total inside the coordinator', 'CPU of the coordinator process (all threads) per call']

const node = await startFakeOllama({ models: [{ name: MODEL, sizeMb: 1000, loaded: true }], tokensPerSecond: 100, parallel: 8, record: false, respond: () => 'ok' })
const fleet = createBenchFleet({
  portBase: PORT_BASE,
  env: {
    ROBBIE_GATEWAY_RATE: '100000',
    ROBBIE_GATEWAY_BURST: '100000',
    ROBBIE_RATE_LIMIT_MULTIPLIER: '100000',
    ROBBIE_CREATE_OWNER: 'true',
    ROBBIE_OWNER_EMAIL: OWNER.email,
    ROBBIE_OWNER_PASSWORD: OWNER.password,
    ROBBIE_GPU_NODES: JSON.stringify([{ name: 'bench-latency', baseUrl: node.url, maxInflight: 8 }]),
    ROBBIE_GPU_ALLOW_LOOPBACK: 'true'
  }
})
const services = (JSON.parse(readFileSync(join(root, 'fleet.json'), 'utf8')) as { services: Array<{ name: string }> }).services
const coordinatorPort = PORT_BASE + 100 + services.findIndex((s) => s.name === 'gpu-coordinator') + 1
const agent = new Agent({ keepAlive: true })

async function json (path: string, body: unknown, token?: string): Promise<Record<string, unknown>> {
  const res = await fetch(`${fleet.gateway}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) })
  if (!res.ok) throw new Error(`POST ${path} answered ${res.status}: ${(await res.text()).slice(0, 300)}`)
  return await res.json() as Record<string, unknown>
}

/** One GET, timed from sending to the last byte; anything but 200 stops the bench. */
async function get (url: string, headers: Record<string, string>): Promise<number> {
  const started = performance.now()
  await new Promise<void>((resolve, reject) => {
    request(url, { agent, headers }, (res) => {
      res.resume()
      res.on('end', () => { res.statusCode === 200 ? resolve() : reject(new Error(`GET ${url} answered ${res.statusCode}`)) })
    }).on('error', reject).end()
  })
  return performance.now() - started
}

async function waitForModel (base: string, key: string) {
  for (let i = 0; i < 180; i++) {
    const res = await fetch(`${base}/api/tags`, { headers: { authorization: `Bearer ${key}` } }).catch(() => undefined)
    if (res?.ok && (await res.text()).includes(MODEL)) return
    await new Promise((resolve) => setTimeout(resolve, 500))
  }
  throw new Error(`${base} did not list ${MODEL} within 90 s`)
}

/** The bench fleet's coordinator, again, on its own port with the phases preloaded. */
function startPhasesCoordinator (port: number, out: string): ChildProcess {
  const pid = (JSON.parse(readFileSync(join(fleet.runDir, 'fleet.json'), 'utf8')) as Record<string, { pid: number }>)['gpu-coordinator']!.pid
  const env = Object.fromEntries(readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter(Boolean).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]))
  return spawn(process.execPath, ['--import', 'tsx', '--import', join(import.meta.dirname, 'phases.ts'), join(root, 'services/gpu-coordinator/src/server.ts')], {
    cwd: root, env: { ...env, PORT: String(port), ROBBIE_INSTANCE: 'bench-phases', BENCH_PHASES_OUT: out }, stdio: ['ignore', 'inherit', 'inherit']
  })
}

const f2 = (x: number) => x.toFixed(2)
let phases: ChildProcess | undefined
const phasesOut = join(tmpdir(), `robbie-bench-phases-${process.pid}.json`)
try {
  await fleet.start()
  const login = await json('/api/auth/login', OWNER)
  const key = String((await json('/api/auth/keys', { name: 'bench-overhead', scopes: ['gpu-coordinator:generate'], expiresInDays: 1 }, String(login.accessToken))).key)
  const auth = { authorization: `Bearer ${key}` }
  const coordinator = `http://127.0.0.1:${coordinatorPort}/api/gpu-coordinator`
  await waitForModel(coordinator, key)
  const phasesBase = `http://127.0.0.1:${PORT_BASE + 90}/api/gpu-coordinator`
  if (PHASES) {
    phases = startPhasesCoordinator(PORT_BASE + 90, phasesOut)
    await waitForModel(phasesBase, key)
  }

  const body = { model: MODEL, messages: [{ role: 'user', content: 'bench' }], stream: false, options: { num_predict: 1 } }
  const chatOn = (t: Target) => async () => {
    const r = await chat(t, body)
    if (r.status !== 200) throw new Error(`${t.name}: ${r.status} ${r.body.slice(0, 300)}`)
    return r.totalMs
  }
  const scenarios: Array<{ name: string, pair?: string, call: () => Promise<number> }> = [
    { name: 'POST /api/chat · fake node direct', call: chatOn({ name: 'direct', base: node.url, headers: {} }) },
    { name: 'POST /api/chat · coordinator port + API key', pair: 'POST /api/chat · fake node direct', call: chatOn({ name: 'coordinator', base: coordinator, headers: auth }) },
    { name: 'GET /api/version · fake node direct', call: async () => await get(`${node.url}/api/version`, {}) },
    { name: 'GET healthz · coordinator (public: rate limit)', pair: 'GET /api/version · fake node direct', call: async () => await get(`${coordinator}/healthz`, {}) },
    { name: 'GET /api/version · coordinator + API key', pair: 'GET /api/version · fake node direct', call: async () => await get(`${coordinator}/api/version`, auth) },
    ...(PHASES ? [{ name: 'POST /api/chat · coordinator with phases preloaded', pair: 'POST /api/chat · fake node direct', call: chatOn({ name: 'phases', base: phasesBase, headers: auth }) }] : [])
  ]
  const samples = new Map(scenarios.map((s) => [s.name, [] as number[]]))
  for (const s of scenarios) for (let i = 0; i < 50; i++) await s.call() // warm-up: connections, JIT, caches
  const load = [loadavg()[0]!]
  for (let round = 0; round < S.reps; round++) {
    for (const i of scenarios.keys()) {
      const s = scenarios[(i + round) % scenarios.length]!
      for (let n = 0; n < CALLS; n++) samples.get(s.name)!.push(await s.call())
    }
    load.push(loadavg()[0]!)
  }

  console.log(`\ngpu-coordinator overhead, one call at a time — ${machineLine()}; 1-min load average ${load.map((l) => l.toFixed(1)).join(' → ')}`)
  console.log(`${S.reps} rounds of ${CALLS} calls per scenario in a rotating order; node:http with a keep-alive agent; "added" = p50 − its direct pair's p50`)
  console.log('\n| scenario | n | p50 ms | p90 ms | p99 ms | added p50 |')
  console.log('|---|--:|--:|--:|--:|--:|')
  for (const s of scenarios) {
    const xs = samples.get(s.name)!
    const added = s.pair ? `+${f2(quantile(xs, 0.5) - quantile(samples.get(s.pair)!, 0.5))}` : '—'
    console.log(`| ${s.name} | ${xs.length} | ${f2(quantile(xs, 0.5))} | ${f2(quantile(xs, 0.9))} | ${f2(quantile(xs, 0.99))} | ${added} |`)
  }
  if (phases) {
    phases.kill('SIGTERM')
    await once(phases, 'exit')
    phases = undefined
    const rows = (JSON.parse(readFileSync(phasesOut, 'utf8')) as number[][]).slice(50) // without the warm-up
    console.log(`\n| phase inside the coordinator (n ${rows.length}) | p50 ms | p90 ms | p99 ms |`)
    console.log('|---|--:|--:|--:|')
    PHASE_NAMES.forEach((name, i) => {
      const xs = rows.map((r) => r[i]!)
      console.log(`| ${name} | ${f2(quantile(xs, 0.5))} | ${f2(quantile(xs, 0.9))} | ${f2(quantile(xs, 0.99))} |`)
    })
  }
} finally {
  if (phases) { phases.kill('SIGTERM'); await once(phases, 'exit') }
  rmSync(phasesOut, { force: true })
  closeAgents()
  agent.destroy()
  await fleet.cleanUp()
  await node.close()
}
