// One model call end to end (SPEC §7.2, §7.3): class and quota, a lease from the mesh, the node call with up to
// two failovers before the first byte, then the committed answer (streamed through, or read whole), the lease's
// outcome, the GPU seconds, the decision row and the metrics. Nothing here waits on Postgres: usage and decisions
// go to the write-behind (write-behind.ts), and a whole answer is sent before its bookkeeping is done.
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Identity } from '@robbie/contracts'
import { RobbieError } from '@robbie/service-kit'
import type { Config } from '../../config.js'
import type { Lease, Mesh, PriorityClass } from '../mesh/mesh.types.js'
import { ndjsonErrorLine, sseErrorEvent, type ErrorForm } from './error-forms.js'
import { callNode, type Failure, type FirstByte, type NodeAgents } from './node-call.js'
import { ModelNotFoundOnNode, NodeFailed, NodeLost, NodeRejected, RequestTimeout } from './proxy.errors.js'
import type { ProxyMetrics } from './proxy.metrics.js'
import type { Quota } from './quota.js'
import { collectBody, relayStream, usageOf, type EndReason, type Usage } from './relay.js'
import { parseLabels, priorityOf } from './routing-headers.js'
import type { WriteBehind } from './write-behind.js'

export type ProxyConfig = Pick<Config, 'ROBBIE_GPU_CONNECT_TIMEOUT_MS' | 'ROBBIE_GPU_FIRST_TOKEN_WARM_MS' | 'ROBBIE_GPU_FIRST_TOKEN_COLD_MS' |
'ROBBIE_GPU_STALL_MS' | 'ROBBIE_GPU_REQUEST_TIMEOUT_MS'>

export interface CallSpec {
  form: ErrorForm
  /** the node path: /api/chat, /api/generate or /v1/chat/completions */
  path: string
  body: Record<string, unknown> & { model: string }
  stream: boolean
}

export interface ModelCallDeps {
  mesh: Pick<Mesh, 'acquire' | 'resolveModel'>
  config: ProxyConfig
  agents: NodeAgents
  quota: Pick<Quota, 'check' | 'charge'>
  /** decision rows and GPU seconds, written after the answer (failures are logged, close drains it) */
  writes: Pick<WriteBehind, 'decision' | 'charge'>
  metrics: ProxyMetrics
}

const MAX_FAILOVERS = 2
/** A non-streamed answer is read whole before it is sent: bounded. */
const MAX_BODY_BYTES = 64 * 1024 * 1024
const NONE = 'none'

const outcomeOf = (err: unknown) => err instanceof RobbieError ? err.code.replace(/^GPU_COORDINATOR_/, '').toLowerCase() : 'internal'
const isWarm = (lease: Lease) => lease.warm ?? lease.candidates.find((c) => c.node === lease.nodeName)?.components.warm === 1

function tokensPerSecond (u: Usage, durationMs: number, ttftMs: number): number | undefined {
  if (u.evalCount !== undefined && u.evalDurationNs !== undefined && u.evalDurationNs > 0) return u.evalCount / (u.evalDurationNs / 1e9)
  const generatingMs = durationMs - ttftMs
  return u.tokensOut > 1 && generatingMs > 0 ? u.tokensOut / (generatingMs / 1000) : undefined
}

/** A 4xx from the node is the caller's problem, in the node's words. */
function refusal (f: Failure): RobbieError {
  const message = f.message ?? 'no reason given'
  return f.status === 404 ? new ModelNotFoundOnNode(message) : new NodeRejected(f.status ?? 400, message)
}

export function createModelCall (deps: ModelCallDeps) {
  const { config, metrics } = deps

  return async function modelCall (request: FastifyRequest, reply: FastifyReply, spec: CallSpec): Promise<unknown> {
    const identity = request.identity as Identity
    const headers = request.headers as Record<string, string | undefined>
    const cls: PriorityClass = priorityOf(identity, headers['x-robbie-priority'] as PriorityClass | undefined)
    const requireLabels = parseLabels(headers['x-robbie-require-labels'])
    const session = headers['x-robbie-session']
    const model = deps.mesh.resolveModel(spec.body.model)
    const at = new Date()
    const t0 = performance.now()

    // the caller leaving and the total limit both abort whatever is in progress: the queue, the node call
    const ctl = new AbortController()
    let stop: 'caller_aborted' | 'timeout' | null = null
    const total = setTimeout(() => { stop ??= 'timeout'; ctl.abort() }, config.ROBBIE_GPU_REQUEST_TIMEOUT_MS)
    const onClose = () => { if (!reply.raw.writableFinished) { stop ??= 'caller_aborted'; ctl.abort() } }
    reply.raw.on('close', onClose)

    let lease: Lease | undefined
    let failovers = 0
    let queueMs = 0
    let decided = false
    const decide = (outcome: string, r: { ttftMs?: number | null, tokensOut?: number | null, durationMs?: number } = {}) => {
      if (decided) return
      decided = true
      metrics.requests.inc({ node: lease?.nodeName ?? NONE, model: lease ? model : NONE, class: cls, outcome })
      deps.writes.decision({
        requestId: request.id,
        at,
        model,
        class: cls,
        identity: identity.id,
        candidates: lease?.candidates ?? [],
        chosen: lease?.nodeName ?? null,
        nodeId: lease?.nodeId ?? null,
        queueMs,
        failovers,
        outcome,
        ttftMs: r.ttftMs ?? null,
        tokensOut: r.tokensOut ?? null,
        durationMs: r.durationMs ?? performance.now() - t0
      })
    }
    const stopped = () => {
      decide(stop!)
      if (stop === 'timeout') throw new RequestTimeout(Math.round(config.ROBBIE_GPU_REQUEST_TIMEOUT_MS / 1000))
      // the caller is gone: nobody to answer
      void reply.hijack()
      reply.raw.destroy()
    }

    try {
      await deps.quota.check(identity, request.id)
      const body = Buffer.from(JSON.stringify({ ...spec.body, model }))
      const tried: string[] = []
      let answer: FirstByte | undefined
      let attemptStart = 0
      while (!answer) {
        try {
          lease = await deps.mesh.acquire({
            model,
            identity,
            priority: cls,
            requestId: request.id,
            signal: ctl.signal,
            exclude: [...tried],
            ...(session ? { session } : {}),
            ...(requireLabels ? { requireLabels } : {})
          })
        } catch (err) {
          if (stop) { stopped(); return }
          // after a failure, "no other node" means the nodes that could serve it all failed
          if (tried.length > 0 && err instanceof RobbieError && /_(NO_NODES|MODEL_NOT_FOUND)$/.test(err.code)) throw new NodeFailed('every node that has the model failed before answering')
          throw err
        }
        queueMs += lease.queueMs
        attemptStart = performance.now()
        const result = await callNode({
          agents: deps.agents,
          baseUrl: lease.baseUrl,
          path: spec.path,
          body,
          requestId: request.id,
          connectTimeoutMs: config.ROBBIE_GPU_CONNECT_TIMEOUT_MS,
          // a non-streamed answer has its first byte only when it is complete: the total limit bounds it
          firstByteTimeoutMs: spec.stream ? (isWarm(lease) ? config.ROBBIE_GPU_FIRST_TOKEN_WARM_MS : config.ROBBIE_GPU_FIRST_TOKEN_COLD_MS) : config.ROBBIE_GPU_REQUEST_TIMEOUT_MS,
          signal: ctl.signal
        })
        if (result.kind === 'answer') { answer = result; break }
        lease.failed({ nodeFault: result.nodeFault, reason: result.reason, durationMs: performance.now() - attemptStart })
        if (stop) { stopped(); return }
        if (!result.nodeFault) throw refusal(result)
        if (failovers >= MAX_FAILOVERS) throw new NodeFailed(`${lease.nodeName}: ${result.reason}`)
        request.log.warn({ node: lease.nodeName, reason: result.reason, failovers: failovers + 1 }, 'model call failed over')
        tried.push(lease.nodeId)
        failovers++
        metrics.failovers.inc()
      }

      const granted = lease!
      metrics.ttft.observe(answer.ttftMs / 1000)
      const routing = {
        'x-robbie-node': granted.nodeName,
        'x-robbie-model': model,
        'x-robbie-queue-ms': String(Math.round(queueMs)),
        'x-robbie-route-score': String(Math.round(granted.score * 100) / 100),
        'x-robbie-failovers': String(failovers),
        'x-request-id': request.id
      }
      /** `endedAt`: when the node's answer ended (the GPU seconds are the node's time, not the caller's reading) */
      const settle = (reason: EndReason, usage: Usage, endedAt = performance.now()) => {
        const durationMs = endedAt - attemptStart
        const ttftMs = answer.ttftMs
        const tps = tokensPerSecond(usage, durationMs, ttftMs)
        if (reason === 'ok') {
          granted.succeeded({ ttftMs, tokensOut: usage.tokensOut, durationMs, ...(tps !== undefined ? { tokensPerSecond: tps } : {}) })
          if (tps !== undefined) metrics.tokensPerSecond.set({ node: granted.nodeName, model }, tps)
        } else {
          granted.failed({ nodeFault: reason === 'node_lost' || reason === 'stalled', reason, ttftMs, tokensOut: usage.tokensOut, durationMs })
        }
        metrics.gpuSeconds.inc({ identity_kind: identity.kind }, durationMs / 1000)
        deps.writes.charge(deps.quota.charge(identity, durationMs / 1000))
        decide(reason, { ttftMs, tokensOut: usage.tokensOut, durationMs: endedAt - t0 })
      }
      const lost = (reason: 'node_lost' | 'stalled') => new NodeLost(reason === 'stalled'
        ? `${granted.nodeName} sent nothing for ${config.ROBBIE_GPU_STALL_MS < 1000 ? `${config.ROBBIE_GPU_STALL_MS} ms` : `${Math.round(config.ROBBIE_GPU_STALL_MS / 1000)} s`}`
        : `the connection to ${granted.nodeName} broke off`)

      if (spec.stream) {
        void reply.hijack()
        reply.raw.writeHead(answer.status, { ...routing, 'content-type': answer.contentType, 'cache-control': 'no-cache', 'x-accel-buffering': 'no' })
        const end = await relayStream({
          answer,
          out: reply.raw,
          protocol: spec.form === 'ollama' ? 'ndjson' : 'sse',
          stallMs: config.ROBBIE_GPU_STALL_MS,
          signal: ctl.signal,
          stopReason: () => stop,
          errorText: (reason) => {
            const err = reason === 'timeout' ? new RequestTimeout(Math.round(config.ROBBIE_GPU_REQUEST_TIMEOUT_MS / 1000)) : lost(reason)
            return spec.form === 'ollama' ? ndjsonErrorLine(err) : sseErrorEvent(err)
          }
        })
        settle(end.reason, end)
        return
      }

      const got = await collectBody({ answer, stallMs: config.ROBBIE_GPU_STALL_MS, signal: ctl.signal, maxBytes: MAX_BODY_BYTES })
      if (!got.body) {
        const stopNow = stop as 'caller_aborted' | 'timeout' | null // set by the abort handlers meanwhile
        settle(stopNow ?? (got.stalled ? 'stalled' : 'node_lost'), { tokensOut: 0 })
        if (stopNow === 'caller_aborted') { void reply.hijack(); reply.raw.destroy(); return }
        throw stopNow === 'timeout' ? new RequestTimeout(Math.round(config.ROBBIE_GPU_REQUEST_TIMEOUT_MS / 1000)) : lost(got.stalled ? 'stalled' : 'node_lost')
      }
      // the answer first; its bookkeeping (parsing the usage, the lease, metrics, rows) on the next turn of the
      // event loop, once the kit's onSend hooks have run and the bytes are handed to the socket
      const endedAt = performance.now()
      void reply.code(answer.status).headers(routing).type(answer.contentType).send(got.body)
      setImmediate(() => { settle('ok', { tokensOut: 0, ...usageOf(got.body.toString('utf8')) }, endedAt) })
      return reply
    } catch (err) {
      decide(outcomeOf(err))
      throw err
    } finally {
      clearTimeout(total)
      reply.raw.off('close', onClose)
    }
  }
}
export type ModelCall = ReturnType<typeof createModelCall>
