// The coordinator's own calls to an Ollama node: health polls, the one-token probe, pull and warm. node:http with
// the guarded DNS lookup (url-rules.ts), a connect timeout, a total timeout, no redirects followed, and a bounded
// reply. Each answer says whether a failure is the node's fault (connect error, timeout, 5xx, garbage), which is
// what the breaker counts, or not (4xx, a redirect).
import http from 'node:http'
import https from 'node:https'
import { guardedLookup } from './url-rules.js'

const MAX_REPLY_BYTES = 4 * 1024 * 1024

export type NodeCall<T> =
  | { ok: true, status: number, body: T, ms: number }
  | { ok: false, fault: boolean, reason: string, status?: number, ms: number }

export interface OllamaModel { name: string, model?: string, size: number, digest?: string, modified_at?: string, details?: unknown, expires_at?: string, size_vram?: number }

export function createNodeClient (opts: { allowLoopback: boolean, connectTimeoutMs: number }) {
  const lookup = guardedLookup(opts.allowLoopback)
  const agents = { http: new http.Agent({ keepAlive: true, maxSockets: 8 }), https: new https.Agent({ keepAlive: true, maxSockets: 8 }) }

  async function call<T> (baseUrl: string, method: 'GET' | 'POST', path: string, args: { body?: unknown, timeoutMs: number, signal?: AbortSignal }): Promise<NodeCall<T>> {
    const started = performance.now()
    const elapsed = () => Math.round(performance.now() - started)
    const url = new URL(path.replace(/^\//, ''), baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`)
    const payload = args.body === undefined ? undefined : Buffer.from(JSON.stringify(args.body))
    const mod = url.protocol === 'https:' ? https : http
    return await new Promise((resolve) => {
      let settled = false
      const finish = (result: NodeCall<T>) => {
        if (settled) return
        settled = true
        clearTimeout(total)
        args.signal?.removeEventListener('abort', onAbort)
        resolve(result)
      }
      const onAbort = () => { req.destroy(new Error('aborted')) }
      const req = mod.request(url, {
        method,
        lookup,
        agent: url.protocol === 'https:' ? agents.https : agents.http,
        headers: { accept: 'application/json', ...(payload ? { 'content-type': 'application/json', 'content-length': String(payload.length) } : {}) }
      })
      const total = setTimeout(() => { req.destroy(new Error(`no answer within ${args.timeoutMs} ms`)) }, args.timeoutMs)
      if (args.signal?.aborted) onAbort()
      else args.signal?.addEventListener('abort', onAbort, { once: true })
      req.on('socket', (socket) => {
        if (!socket.connecting) return
        const connect = setTimeout(() => { req.destroy(new Error(`no connection within ${opts.connectTimeoutMs} ms`)) }, opts.connectTimeoutMs)
        socket.once('connect', () => { clearTimeout(connect) })
        socket.once('close', () => { clearTimeout(connect) })
      })
      req.on('error', (err) => { finish({ ok: false, fault: true, reason: err.message, ms: elapsed() }) })
      req.on('response', (res) => {
        const status = res.statusCode ?? 0
        const chunks: Buffer[] = []
        let size = 0
        res.on('data', (chunk: Buffer) => {
          size += chunk.length
          if (size > MAX_REPLY_BYTES) { req.destroy(new Error('reply too large')); return }
          chunks.push(chunk)
        })
        res.on('error', (err) => { finish({ ok: false, fault: true, reason: err.message, status, ms: elapsed() }) })
        res.on('end', () => {
          if (status >= 300 && status < 400) { finish({ ok: false, fault: false, reason: `redirect (${status}) not followed`, status, ms: elapsed() }); return }
          if (status >= 400) { finish({ ok: false, fault: status >= 500, reason: `HTTP ${status}`, status, ms: elapsed() }); return }
          try {
            finish({ ok: true, status, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as T, ms: elapsed() })
          } catch {
            finish({ ok: false, fault: true, reason: 'the reply is not JSON', status, ms: elapsed() })
          }
        })
      })
      req.end(payload)
    })
  }

  return {
    call,
    version: async (baseUrl: string, timeoutMs: number) => await call<{ version?: string }>(baseUrl, 'GET', '/api/version', { timeoutMs }),
    tags: async (baseUrl: string, timeoutMs: number) => await call<{ models?: OllamaModel[] }>(baseUrl, 'GET', '/api/tags', { timeoutMs }),
    ps: async (baseUrl: string, timeoutMs: number) => await call<{ models?: OllamaModel[] }>(baseUrl, 'GET', '/api/ps', { timeoutMs }),
    /** A real one-token generation on a loaded model; keep_alive keeps the node's own expiry instead of renewing it. */
    probe: async (baseUrl: string, model: string, keepAlive: string | number | undefined, timeoutMs: number) => await call<{ done?: boolean }>(baseUrl, 'POST', '/api/generate', {
      timeoutMs, body: { model, prompt: 'ping', stream: false, options: { num_predict: 1 }, ...(keepAlive !== undefined ? { keep_alive: keepAlive } : {}) }
    }),
    pull: async (baseUrl: string, model: string, timeoutMs: number, signal?: AbortSignal) =>
      await call<{ status?: string }>(baseUrl, 'POST', '/api/pull', { timeoutMs, body: { model, stream: false }, ...(signal ? { signal } : {}) }),
    /** An empty prompt makes Ollama load the model and answer at once. */
    warm: async (baseUrl: string, model: string, timeoutMs: number, signal?: AbortSignal) =>
      await call<{ done?: boolean }>(baseUrl, 'POST', '/api/generate', { timeoutMs, body: { model, prompt: '', stream: false }, ...(signal ? { signal } : {}) }),
    close () { agents.http.destroy(); agents.https.destroy() }
  }
}
export type NodeClient = ReturnType<typeof createNodeClient>
