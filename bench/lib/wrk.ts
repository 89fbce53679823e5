// wrk for the fleet benchmarks (CONVENTIONS.md §8): install check, one run, its parsed figures, and interleaved
// runs of several scenarios with medians. Headers go through wrk's own -H flag (no Lua script).
import { execFile, spawnSync } from 'node:child_process'
import { promisify } from 'node:util'

const run = promisify(execFile)

export interface WrkSettings { threads: number, connections: number }

export interface WrkResult {
  requests: number
  rps: number
  /** latency percentiles of the timed responses, ms */
  p50: number
  p99: number
  /** wrk's "read" total divided by the requests (headers included) */
  bytes: number
  /** wrk's "Non-2xx or 3xx responses" line (absent: 0) */
  non2xx: number
  socketErrors: number
  /** non2xx + socketErrors */
  errors: number
  output: string
}

/** Exits when wrk is missing and cannot be installed (root on Debian: apt-get). */
export function ensureWrk (): void {
  if (!spawnSync('wrk', ['-v']).error) return
  if (process.getuid?.() === 0) {
    console.log('• installing wrk (apt-get install -y wrk)')
    if (spawnSync('apt-get', ['install', '-y', 'wrk'], { stdio: 'inherit' }).status === 0) return
  }
  console.error('wrk is missing: install it (Debian: sudo apt-get install -y wrk) and run again')
  process.exit(1)
}

export const wrkVersion = (): string => spawnSync('wrk', ['-v'], { encoding: 'utf8' }).stdout?.split('\n')[0]?.trim() || 'wrk'

const MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60000 }
const SIZE: Record<string, number> = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3 }

export function parseWrk (out: string): WrkResult {
  const ms = (p: string) => {
    const m = new RegExp(`^\\s*${p}%\\s+([\\d.]+)(us|ms|s|m)\\s*$`, 'm').exec(out)
    if (!m) throw new Error(`no ${p}% latency in wrk output:\n${out}`)
    return Number(m[1]) * (MS[m[2] ?? ''] ?? NaN)
  }
  const total = /(\d+) requests in [\d.]+\w+, ([\d.]+)(B|KB|MB|GB) read/.exec(out)
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(out)
  if (!total || !rps) throw new Error(`unexpected wrk output:\n${out}`)
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out)
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0)
  const socketErrors = socket ? socket.slice(1).reduce((a, b) => a + Number(b), 0) : 0
  const requests = Number(total[1])
  return {
    requests,
    rps: Number(rps[1]),
    p50: ms('50'),
    p99: ms('99'),
    bytes: Number(total[2]) * (SIZE[total[3] ?? ''] ?? NaN) / requests,
    non2xx,
    socketErrors,
    errors: non2xx + socketErrors,
    output: out
  }
}

/** One closed-loop wrk run of `seconds` against `url`; `headers` as "Name: value" (wrk -H). */
export async function wrk (url: string, seconds: number, settings: WrkSettings, headers: string[] = []): Promise<WrkResult> {
  const args = ['-t', String(settings.threads), '-c', String(settings.connections), '-d', `${seconds}s`, '--latency']
  for (const h of headers) args.push('-H', h)
  const { stdout } = await run('wrk', [...args, url])
  return parseWrk(stdout)
}

export interface Scenario {
  name: string
  url: string
  /** evaluated before every run, so that a credential can be renewed between runs */
  headers?: () => string[] | Promise<string[]>
}

export interface InterleaveOptions extends WrkSettings {
  warmupS: number
  durationS: number
  reps: number
  /** throw at the first run (warm-up included) whose output has wrk's "Non-2xx or 3xx responses" line */
  failOnNon2xx?: boolean
}

function checkNon2xx (s: Scenario, r: WrkResult, what: string): void {
  if (r.non2xx > 0) {
    throw new Error(`${s.name} (${s.url}): ${r.non2xx} of ${r.requests} responses were not 2xx in the ${what}; wrk said:\n${r.output}`)
  }
}

/**
 * A warm-up run per scenario, then `reps` measured runs per scenario, interleaved in a rotating order so that
 * a noisy moment does not fall on one scenario only. Prints one line per measured run.
 */
export async function runInterleaved (scenarios: Scenario[], o: InterleaveOptions): Promise<Map<string, WrkResult[]>> {
  const width = Math.max(13, ...scenarios.map((s) => s.name.length))
  for (const s of scenarios) {
    const r = await wrk(s.url, o.warmupS, o, await s.headers?.() ?? [])
    if (o.failOnNon2xx) checkNon2xx(s, r, 'warm-up')
  }
  const results = new Map<string, WrkResult[]>(scenarios.map((s) => [s.name, []]))
  for (let rep = 0; rep < o.reps; rep++) {
    for (let i = 0; i < scenarios.length; i++) {
      const s = scenarios[(i + rep) % scenarios.length]!
      const r = await wrk(s.url, o.durationS, o, await s.headers?.() ?? [])
      results.get(s.name)!.push(r)
      console.log(`  run ${rep + 1} ${s.name.padEnd(width)} ${r.rps.toFixed(0).padStart(7)} req/s  p50 ${r.p50.toFixed(2)} ms  p99 ${r.p99.toFixed(2)} ms${r.errors ? `  errors ${r.errors}` : ''}`)
      if (o.failOnNon2xx) checkNon2xx(s, r, `measured run ${rep + 1}`)
    }
  }
  return results
}

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2
}

export interface Row { name: string, n: number, p50: number, p99: number, rps: number, bytes: number, errors: number, runs: WrkResult[] }

/** Per scenario: the requests of all measured runs, and the medians of p50, p99, req/s and bytes/response. */
export function summarize (scenarios: Scenario[], results: Map<string, WrkResult[]>): Row[] {
  return scenarios.map((s) => {
    const rs = results.get(s.name)!
    return {
      name: s.name,
      n: rs.reduce((a, r) => a + r.requests, 0),
      p50: median(rs.map((r) => r.p50)),
      p99: median(rs.map((r) => r.p99)),
      rps: median(rs.map((r) => r.rps)),
      bytes: median(rs.map((r) => r.bytes)),
      errors: rs.reduce((a, r) => a + r.errors, 0),
      runs: rs
    }
  })
}
