// Timed Ollama calls for bench/gpu.ts: one non-streaming /api/chat (its latency), one streaming (time to the
// first token and the gaps between tokens, as the client receives them), and a closed loop of such calls.
import { Agent, request } from 'node:http'
import { performance } from 'node:perf_hooks'

export interface Target { name: string, base: string, headers: Record<string, string> }

export interface CallResult {
  status: number
  /** ms from sending to the last byte */
  totalMs: number
  /** ms from sending to the first token (streams) */
  ttftMs?: number
  /** ms between consecutive tokens (streams) */
  gapsMs: number[]
  tokens: number
  node?: string
  body: string
}

// One keep-alive agent per target, so that connection set-up is outside every timed call (as with a real client).
const agents = new Map<string, Agent>()
const agentFor = (t: Target) => {
  let agent = agents.get(t.base)
  if (!agent) agents.set(t.base, agent = new Agent({ keepAlive: true, maxSockets: 256 }))
  return agent
}
export const closeAgents = () => { for (const a of agents.values()) a.destroy() }

export function chat (t: Target, body: Record<string, unknown>): Promise<CallResult> {
  const payload = JSON.stringify(body)
  const url = new URL(`${t.base}/api/chat`)
  return new Promise((resolve, reject) => {
    const started = performance.now()
    const stamps: number[] = []
    let buffer = ''
    let text = ''
    const req = request(url, {
      method: 'POST',
      agent: agentFor(t),
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), ...t.headers }
    }, (res) => {
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => {
        const now = performance.now()
        text += chunk
        if (body.stream === false) return
        buffer += chunk
        const lines = buffer.split('\n')
        buffer = lines.pop() ?? ''
        // a line with content is a token; the final done line carries none
        for (const line of lines) if (line.includes('"done":false')) stamps.push(now)
      })
      res.on('end', () => {
        const gapsMs = stamps.slice(1).map((s, i) => s - (stamps[i] ?? s))
        const tokens = body.stream === false ? Number((/"eval_count":(\d+)/.exec(text))?.[1] ?? 0) : stamps.length
        resolve({
          status: res.statusCode ?? 0,
          totalMs: performance.now() - started,
          ...(stamps[0] !== undefined ? { ttftMs: stamps[0] - started } : {}),
          gapsMs,
          tokens,
          ...(typeof res.headers['x-robbie-node'] === 'string' ? { node: res.headers['x-robbie-node'] } : {}),
          body: text
        })
      })
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end(payload)
  })
}

export const quantile = (xs: number[], q: number): number => {
  if (xs.length === 0) return NaN
  const sorted = [...xs].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? NaN
}

export interface LoadResult {
  seconds: number
  /** calls answered 200 that started inside the window (their latencies) */
  calls: CallResult[]
  /** of those, the ones that also ended inside it: the throughput is this ÷ seconds */
  completedInWindow: number
  errors: number
  firstError?: string
}

/**
 * `clients` loops each sending one call after the other for `seconds`. Calls still running at the end are
 * awaited (their latencies count) but not counted as throughput, so that a slow tail does not stretch the window.
 */
export async function closedLoop (t: Target, body: Record<string, unknown>, clients: number, seconds: number): Promise<LoadResult> {
  const started = performance.now()
  const until = started + seconds * 1000
  const calls: CallResult[] = []
  let completedInWindow = 0
  let errors = 0
  let firstError: string | undefined
  await Promise.all(Array.from({ length: clients }, async () => {
    while (performance.now() < until) {
      try {
        const r = await chat(t, body)
        if (r.status === 200) {
          calls.push(r)
          if (performance.now() <= until) completedInWindow++
        } else { errors++; firstError ??= `${r.status} ${r.body.slice(0, 200)}` }
      } catch (err) {
        errors++
        firstError ??= (err as Error).message
      }
    }
  }))
  return { seconds, calls, completedInWindow, errors, ...(firstError ? { firstError } : {}) }
}
