// `npm run bench [-- healthz|events]`: the fleet-wide benchmarks (CONVENTIONS.md §8, docs/performance.md).
//   healthz: bench/healthz.ts — GET /api/auth/healthz through nginx, direct, and a bare Fastify (wrk)
//   events:  packages/bus/bench/run.ts (pnpm --filter @robbie/bus bench) — event bus end to end, lost events
// With no argument both run, healthz first. Exits non-zero when any of them fails.
import { spawnSync } from 'node:child_process'
import { resolve } from 'node:path'

const rootDir = resolve(import.meta.dirname, '..')
const benches = {
  healthz: [process.execPath, ['--import', 'tsx', 'bench/healthz.ts']],
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
  console.log(`\n=== bench ${name}: ${name === 'healthz' ? 'node' : cmd} ${args.join(' ')}`)
  const r = spawnSync(cmd, args, { cwd: rootDir, stdio: 'inherit' })
  if (r.status !== 0) failed.push(`${name} (${r.error?.message ?? `exit ${r.status ?? r.signal}`})`)
}
if (failed.length > 0) {
  console.error(`\nbench failed: ${failed.join(', ')}`)
  process.exit(1)
}
