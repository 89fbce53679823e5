// `npm run bench [-- healthz|auth|secrets|priorities|gpu|chat|events]`: the fleet-wide benchmarks (CONVENTIONS.md §8, docs/performance.md).
//   healthz: bench/healthz.ts — GET /api/auth/healthz through nginx, direct, and a bare Fastify (wrk)
//   auth:    bench/auth.ts — a JWT and an API key on GET /api/auth/me and on a priorities route, against a
//            public route of similar work without a credential (wrk, through nginx)
//   secrets: bench/secrets.ts — secret reveal p50/p99 and req/s through nginx with 10,000 secrets stored (wrk -s Lua POST)
//   priorities: bench/priorities.ts — 100,000 open items: rescore computation and write, memory, surface p50/p99
//            through nginx (cached and just after an invalidation)
//   gpu:     bench/gpu.ts — gpu-coordinator against fake Ollama nodes: added latency (direct / coordinator / nginx +
//            key + coordinator; non-streaming, first token, token gaps) and three nodes of different speeds
//            against a plain round-robin proxy (throughput, p95)
//   chat:    bench/chat.ts — added time to first token (node direct / nginx + coordinator / client → nginx → chat /ws →
//            coordinator → node) and idle WebSocket sessions on one chat instance (500 → 5,000: held, failures, RSS)
//   events:  packages/bus/bench/run.ts (pnpm --filter @robbie/bus bench) — event bus end to end, lost events
// With no argument all of them run, in this order. Exits non-zero when any of them fails.
import { spawnSync } from 'node:child_process'
import { resolve } from 'node:path'

const rootDir = resolve(import.meta.dirname, '..')
const benches = {
  healthz: [process.execPath, ['--import', 'tsx', 'bench/healthz.ts']],
  auth: [process.execPath, ['--import', 'tsx', 'bench/auth.ts']],
  secrets: [process.execPath, ['--import', 'tsx', 'bench/secrets.ts']],
  priorities: [process.execPath, ['--import', 'tsx', 'bench/priorities.ts']],
  gpu: [process.execPath, ['--import', 'tsx', 'bench/gpu.ts']],
  chat: [process.execPath, ['--import', 'tsx', 'bench/chat.ts']],
  events: ['pnpm', ['--filter', '@robbie/bus', 'bench']]
}

const names = process.argv.slice(2)
const unknown = names.filter((n) => !(n in benches))
if (unknown.length > 0) {
  console.error(`unknown benchmark ${unknown.join(', ')}; usage: npm run bench [-- ${Object.keys(benches).join('|')}]`)
  process.exit(2)
}
const failed = []
for (const name of names.length > 0 ? names : Object.keys(benches)) {
  const [cmd, args] = benches[name]
  console.log(`\n=== bench ${name}: ${cmd === process.execPath ? 'node' : cmd} ${args.join(' ')}`)
  const r = spawnSync(cmd, args, { cwd: rootDir, stdio: 'inherit' })
  if (r.status !== 0) failed.push(`${name} (${r.error?.message ?? `exit ${r.status ?? r.signal}`})`)
}
if (failed.length > 0) {
  console.error(`\nbench failed: ${failed.join(', ')}`)
  process.exit(1)
}
