// Preloaded into a coordinator by bench/overhead.ts (`node --import tsx --import ./phases.ts`): where one model
// call's time goes inside the coordinator, from Node's and Fastify's diagnostics channels, for calls made one at
// a time: per call [kit hooks, handler until the node request, node request to its headers, node headers to the
// end of its body, end of body to the reply sent, total, CPU] in ms, written as JSON to BENCH_PHASES_OUT at exit.
// CPU is the process's (user + system, all threads: GC and JIT too) from the call's start to the turn after its
// reply; work deferred further (the batched rows) and the loops between calls are not in it.
import { subscribe } from 'node:diagnostics_channel'
import { writeFileSync } from 'node:fs'
import type { ClientRequest, IncomingMessage } from 'node:http'

interface Call { request: IncomingMessage, start: number, cpu: number, handler?: number, nodeSent?: number, nodeHeaders?: number, nodeEnd?: number, end?: number }

const rows: number[][] = []
let current: Call | null = null
const cpuNow = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000 }

subscribe('http.server.request.start', (m) => {
  const { request } = m as { request: IncomingMessage }
  current = request.method === 'POST' && request.url?.endsWith('/api/chat') === true ? { request, start: performance.now(), cpu: cpuNow() } : null
})
subscribe('tracing:fastify.request.handler:start', (m) => {
  if (current && (m as { request: { raw: IncomingMessage } }).request.raw === current.request) current.handler = performance.now()
})
subscribe('http.client.request.start', (m) => {
  const call = current
  if (!call || call.nodeSent !== undefined) return
  call.nodeSent = performance.now()
  ;(m as { request: ClientRequest }).request.once('response', (res) => {
    call.nodeHeaders = performance.now()
    res.once('end', () => { call.nodeEnd = performance.now() })
  })
})
subscribe('http.server.response.finish', (m) => {
  const call = current
  if (!call || (m as { request: IncomingMessage }).request !== call.request) return
  current = null
  call.end = performance.now()
  const t = [call.start, call.handler, call.nodeSent, call.nodeHeaders, call.nodeEnd, call.end]
  if (t.every((x) => x !== undefined)) {
    const [a, b, c, d, e, f] = t as number[]
    const row = [b! - a!, c! - b!, d! - c!, e! - d!, f! - e!, f! - a!]
    rows.push(row)
    // the bookkeeping right after the reply (the lease, metrics, queued rows) runs on the next turn: count it too
    setImmediate(() => { row.push(cpuNow() - call.cpu) })
  }
})

process.on('exit', () => {
  if (process.env.BENCH_PHASES_OUT) writeFileSync(process.env.BENCH_PHASES_OUT, JSON.stringify(rows))
})
