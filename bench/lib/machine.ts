// What the header of a benchmark's table names (CONVENTIONS.md §8): the commit, Node and the machine; and the
// common tunables of the fleet benchmarks, read from the environment.
import { spawnSync } from 'node:child_process'
import { cpus } from 'node:os'
import { join } from 'node:path'

export const root = join(import.meta.dirname, '..', '..')

export const num = (key: string, fallback: number): number => Number(process.env[key] || fallback)

/** BENCH_PORT_BASE (5000), BENCH_DURATION_S (10), BENCH_REPS (3), BENCH_THREADS (2), BENCH_CONNECTIONS (50) */
export function benchSettings () {
  return {
    portBase: num('BENCH_PORT_BASE', 5000),
    durationS: num('BENCH_DURATION_S', 10),
    reps: num('BENCH_REPS', 3),
    threads: num('BENCH_THREADS', 2),
    connections: num('BENCH_CONNECTIONS', 50),
    warmupS: 3
  }
}

const sh = (cmd: string, args: string[]) => spawnSync(cmd, args, { cwd: root, encoding: 'utf8' }).stdout?.trim() ?? ''

/** "commit abc1234 (working tree has uncommitted changes), Node v20…, <CPU model> × 2 cores" */
export function machineLine (): string {
  const commit = sh('git', ['rev-parse', '--short', 'HEAD'])
  const dirty = sh('git', ['status', '--porcelain']) !== '' ? ' (working tree has uncommitted changes)' : ''
  const cpu = cpus()
  return `commit ${commit}${dirty}, Node ${process.version}, ${cpu[0]?.model ?? '?'} × ${cpu.length} cores`
}
