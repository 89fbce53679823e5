// One call to one node, up to its first byte (SPEC §7.2). node:http rather than fetch, because failover needs
// to tell a connect timeout (2 s) from a first-token timeout (60 s warm / 180 s cold), and the relay needs the
// raw body stream. What happens before the first byte decides between failover and a committed answer.
import { Agent as HttpAgent, request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http'
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https'
import { urlToHttpOptions } from 'node:url'

export interface NodeAgents { http: HttpAgent, https: HttpsAgent, destroy: () => void }

/** Keep-alive pools shared by every call of the app (closed with it). */
export function createNodeAgents (): NodeAgents {
  const http = new HttpAgent({ keepAlive: true, keepAliveMsecs: 1000, scheduling: 'lifo' })
  const https = new HttpsAgent({ keepAlive: true, keepAliveMsecs: 1000, scheduling: 'lifo' })
  return { http, https, destroy: () => { http.destroy(); https.destroy() } }
}

export interface NodeCall {
  agents: NodeAgents
  baseUrl: string
  path: string
  body: Buffer
  requestId: string
  connectTimeoutMs: number
  firstByteTimeoutMs: number
  /** the caller left or the total limit passed */
  signal: AbortSignal
}

/** The node answered 2xx and sent its first bytes: from here on there is no failover. */
export interface FirstByte {
  kind: 'answer'
  status: number
  contentType: string
  req: ClientRequest
  res: IncomingMessage
  chunks: AsyncIterator<Buffer>
  first: Buffer
  ttftMs: number
}
/** `nodeFault` feeds the breaker and allows a failover (connect error, timeout, 5xx); a 4xx is the caller's. */
export interface Failure { kind: 'failed', nodeFault: boolean, reason: string, status?: number, message?: string }

const ERROR_BODY_MAX = 16 * 1024

function messageOf (raw: string): string {
  try {
    const body = JSON.parse(raw) as { error?: unknown }
    const e = body.error
    if (typeof e === 'string') return e.slice(0, 500)
    if (e && typeof e === 'object' && typeof (e as { message?: unknown }).message === 'string') return (e as { message: string }).message.slice(0, 500)
  } catch {}
  return 'no reason given'
}

/**
 * The node's body as an iterator that keeps every byte that arrived: Node's own async iterator drops what is
 * buffered when the node resets, which would lose the tokens just before the break (or make a break after the
 * first bytes look like one before them). Pauses the node while the caller has not taken `HIGH_WATER` chunks.
 */
const HIGH_WATER = 64
export function chunksOf (res: IncomingMessage): AsyncIterator<Buffer> {
  const queue: Buffer[] = []
  let ended = false
  let failure: Error | null = null
  let wake: (() => void) | null = null
  const notify = () => { const w = wake; wake = null; w?.() }
  res.on('data', (chunk: Buffer) => {
    queue.push(chunk)
    if (queue.length >= HIGH_WATER) res.pause()
    notify()
  })
  res.on('end', () => { ended = true; notify() })
  res.on('close', () => {
    if (!ended) failure = res.errored ?? new Error('the node closed the connection early')
    notify()
  })
  return {
    async next (): Promise<IteratorResult<Buffer>> {
      for (;;) {
        const chunk = queue.shift()
        if (chunk) {
          if (queue.length < HIGH_WATER / 2 && res.isPaused()) res.resume()
          return { done: false, value: chunk }
        }
        if (failure) throw failure
        if (ended) return { done: true, value: undefined }
        await new Promise<void>((resolve) => { wake = resolve })
      }
    }
  }
}

async function readSmall (res: IncomingMessage): Promise<string> {
  let text = ''
  for await (const chunk of res as AsyncIterable<Buffer>) {
    if (text.length < ERROR_BODY_MAX) text += chunk.toString('utf8')
  }
  return text.slice(0, ERROR_BODY_MAX)
}

/** A node's URL parsed once, not on every call (a few nodes × three paths; bounded all the same). */
const targets = new Map<string, ReturnType<typeof urlToHttpOptions>>()
function targetOf (baseUrl: string, path: string) {
  const key = `${baseUrl} ${path}`
  let target = targets.get(key)
  if (!target) {
    if (targets.size >= 256) targets.clear()
    target = urlToHttpOptions(new URL(baseUrl.replace(/\/+$/, '') + path))
    targets.set(key, target)
  }
  return target
}

export async function callNode (call: NodeCall): Promise<FirstByte | Failure> {
  const started = performance.now()
  const target = targetOf(call.baseUrl, call.path)
  const secure = target.protocol === 'https:'
  return await new Promise((resolve) => {
    let settled = false
    const timers: NodeJS.Timeout[] = []
    const finish = (result: FirstByte | Failure) => {
      if (settled) return
      settled = true
      for (const t of timers) clearTimeout(t)
      call.signal.removeEventListener('abort', onAbort)
      if (result.kind === 'failed') req.destroy()
      resolve(result)
    }
    const fail = (nodeFault: boolean, reason: string, extra: Partial<Failure> = {}) => { finish({ kind: 'failed', nodeFault, reason, ...extra }) }
    const onAbort = () => { fail(false, 'aborted') }

    const req = (secure ? httpsRequest : httpRequest)({
      ...target,
      method: 'POST',
      agent: secure ? call.agents.https : call.agents.http,
      headers: {
        'content-type': 'application/json',
        'content-length': call.body.length,
        'x-request-id': call.requestId
      }
    })
    timers.push(setTimeout(() => { fail(true, 'first-token-timeout') }, call.firstByteTimeoutMs))
    req.on('socket', (socket) => {
      if (!socket.connecting) return // a kept-alive connection
      const t = setTimeout(() => { fail(true, 'connect-timeout') }, call.connectTimeoutMs)
      timers.push(t)
      socket.once('connect', () => { clearTimeout(t) })
    })
    req.on('error', () => { fail(!call.signal.aborted, call.signal.aborted ? 'aborted' : 'connect-error') })
    req.on('response', (res) => {
      const status = res.statusCode ?? 0
      res.on('error', () => {}) // surfaced through the iterator below
      if (status >= 500 || status < 200 || (status >= 300 && status < 400)) {
        res.resume()
        fail(true, `status-${status}`, { status })
        return
      }
      if (status >= 400) {
        readSmall(res).then((raw) => { fail(false, `status-${status}`, { status, message: messageOf(raw) }) }, () => { fail(true, 'reset') })
        return
      }
      const chunks = chunksOf(res)
      chunks.next().then((r) => {
        // a 2xx with an empty body is no answer at all: nothing reached the caller, so the next node may try
        if (r.done === true || r.value.length === 0) { fail(true, 'empty-answer'); return }
        finish({ kind: 'answer', status, contentType: String(res.headers['content-type'] ?? 'application/json'), req, res, chunks, first: r.value, ttftMs: performance.now() - started })
      }, () => { fail(!call.signal.aborted, call.signal.aborted ? 'aborted' : 'reset') })
    })
    if (call.signal.aborted) { onAbort(); return }
    call.signal.addEventListener('abort', onAbort, { once: true })
    req.end(call.body)
  })
}
