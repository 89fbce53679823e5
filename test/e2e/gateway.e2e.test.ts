// The real nginx, rendered from gateway/nginx.conf.template, in front of stand-in upstreams (plain node:http
// servers on the fleet's service ports) that echo what they received. SPEC §0.1, §0.2, §0.5, §11.4.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import http, { type IncomingHttpHeaders } from 'node:http'
import net from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readFleet, type Fleet } from '../../scripts/lib/fleet.mjs'
import { findNginx, nginxArgs, renderGateway } from '../../scripts/lib/gateway.mjs'

const ROOT = resolve(import.meta.dirname, '..', '..')
const DOWN = 'slack-bot' // no stand-in: the gateway must answer 502 for it
const SLOW = 'priorities' // rendered with a 1 s read timeout: the gateway must answer 504 for /slow
const OWN_404 = JSON.stringify({ error: { code: 'AUTH_NOT_FOUND', message: 'No such user.', requestId: 'from-service' } })
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

interface Seen { service: string, method: string, url: string, headers: IncomingHttpHeaders, bodyBytes: number, upgrade?: boolean }
const seen: Seen[] = []
const servers: http.Server[] = []
const timers = new Set<NodeJS.Timeout>()
const upgraded = new Set<net.Socket>() // upgraded sockets are no longer the http server's to close
const gateways: { proc: ChildProcess, dir: string }[] = []
let stream = { finished: false, release: () => {} }
let flood = { written: 0, stalled: false, finished: false }
const FLOOD_BYTES = 64 * 1024 * 1024
let main = ''
let limited = ''

// ---- stand-in upstreams ---------------------------------------------------------------------------

function standIn (service: string): http.Server {
  const server = http.createServer((req, res) => {
    let bodyBytes = 0
    req.on('data', (chunk: Buffer) => { bodyBytes += chunk.length })
    req.on('end', () => {
      const url = req.url ?? ''
      seen.push({ service, method: req.method ?? '', url, headers: req.headers, bodyBytes })
      if (url.endsWith('/own404')) {
        res.writeHead(404, { 'content-type': 'application/json' }).end(OWN_404)
      } else if (url.endsWith('/stream')) {
        // First chunk now, the rest only when the test has seen the first one (or after 5 s).
        res.writeHead(200, { 'content-type': 'application/x-ndjson' })
        res.write('{"n":1}\n')
        const done = (): void => { if (!stream.finished) { stream.finished = true; res.end('{"n":2}\n') } }
        stream = { finished: false, release: done }
        const t = setTimeout(done, 5000); timers.add(t)
      } else if (url.endsWith('/flood')) {
        // Writes up to 64 MiB while the client reads nothing. Unbuffered, nginx reads from the service only
        // as fast as the client takes it, so the writes stall; buffering would swallow it all into a temp file.
        res.writeHead(200, { 'content-type': 'application/octet-stream' })
        flood = { written: 0, stalled: false, finished: false }
        const chunk = Buffer.alloc(1024 * 1024, 0x61)
        const pump = (): void => {
          while (flood.written < FLOOD_BYTES) {
            flood.written += chunk.length
            if (!res.write(chunk)) {
              const t = setTimeout(() => { flood.stalled = true }, 1000); timers.add(t)
              res.once('drain', () => { clearTimeout(t); if (!flood.stalled) pump() })
              return
            }
          }
          flood.finished = true
          res.end()
        }
        pump()
        res.on('close', () => { if (!flood.finished) res.destroy() })
      } else if (url.endsWith('/slow')) {
        const t = setTimeout(() => res.end('{}'), 3000); timers.add(t)
      } else {
        // Headers nginx must drop or replace.
        res.writeHead(200, { 'content-type': 'application/json', 'x-powered-by': 'stand-in', 'cache-control': 'max-age=600' })
        res.end(JSON.stringify({ service, method: req.method, url, headers: req.headers, bodyBytes }))
      }
    })
  })
  server.on('upgrade', (req, socket) => {
    seen.push({ service, method: req.method ?? '', url: req.url ?? '', headers: req.headers, bodyBytes: 0, upgrade: true })
    socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n')
    upgraded.add(socket as net.Socket)
    socket.on('data', (data) => socket.write(data)) // echo
    socket.on('end', () => socket.end())
  })
  return server
}

const listen = (server: net.Server, port: number): Promise<void> => new Promise((resolve, reject) => {
  server.once('error', reject)
  server.listen(port, '127.0.0.1', () => { server.off('error', reject); resolve() })
})
const close = (server: net.Server): Promise<void> => new Promise((resolve) => server.close(() => resolve()))

async function freePort (): Promise<number> {
  const s = net.createServer()
  await listen(s, 0)
  const port = (s.address() as net.AddressInfo).port
  await close(s)
  return port
}

/** A service port base whose fleet ports are all free; stand-ins listen on every port except DOWN's. */
async function startStandIns (count: number, names: string[]): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const base = 20000 + Math.floor(Math.random() * 40000)
    const started: http.Server[] = []
    try {
      for (let i = 0; i < count; i++) {
        const server = names[i] === DOWN ? http.createServer() : standIn(names[i]!)
        await listen(server, base + i + 1)
        started.push(server)
      }
      await close(started[names.indexOf(DOWN)]!) // its port stays free, so connections are refused
      servers.push(...started.filter((_, i) => names[i] !== DOWN))
      return base
    } catch {
      await Promise.all(started.filter((s) => s.listening).map(close))
    }
  }
  throw new Error('no free block of service ports')
}

// ---- nginx ----------------------------------------------------------------------------------------

async function startGateway (fleet: Fleet, env: Record<string, string>): Promise<string> {
  const nginx = findNginx()
  if (!nginx) throw new Error('nginx is not installed (apt-get install -y nginx)')
  const dir = mkdtempSync(join(tmpdir(), 'robbie-gw-'))
  renderGateway({ rootDir: ROOT, runDir: dir, fleet, env: { ...env, ROBBIE_GATEWAY_WORKERS: '1' } })
  const proc = spawn(nginx, [...nginxArgs(join(dir, 'nginx', 'nginx.conf')), '-g', 'daemon off;'], { stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  proc.stderr!.on('data', (d: Buffer) => { stderr += d.toString() })
  gateways.push({ proc, dir })
  const base = `http://127.0.0.1:${fleet.portBase}`
  for (let i = 0; i < 100; i++) {
    if (proc.exitCode !== null) break
    try { if ((await fetch(`${base}/healthz`)).ok) return base } catch { /* not listening yet */ }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  let log = ''
  try { log = readFileSync(join(dir, 'logs', 'gateway.error.log'), 'utf8') } catch { /* none */ }
  throw new Error(`nginx did not start: ${stderr}\n${log}`)
}

beforeAll(async () => {
  const names = readFleet(ROOT, {}).services.map((s) => s.name)
  const serviceBase = await startStandIns(names.length, names)
  const env = (port: number, rate: string, burst: string): Record<string, string> => ({
    ROBBIE_PORT_BASE: String(port), ROBBIE_SERVICE_PORT_BASE: String(serviceBase), ROBBIE_GATEWAY_RATE: rate, ROBBIE_GATEWAY_BURST: burst
  })
  // The main gateway has the limit raised, as test fleets do; a second one keeps rate 1, burst 1.
  const mainEnv = env(await freePort(), '1000', '1000')
  const fleet = readFleet(ROOT, mainEnv)
  fleet.services = fleet.services.map((s) => (s.name === SLOW ? { ...s, readTimeoutS: 1 } : s))
  main = await startGateway(fleet, mainEnv)
  const limitedEnv = env(await freePort(), '1', '1')
  limited = await startGateway(readFleet(ROOT, limitedEnv), limitedEnv)
}, 30_000)

afterAll(async () => {
  for (const { proc, dir } of gateways) {
    if (proc.exitCode === null) {
      const exited = new Promise((resolve) => proc.once('exit', resolve))
      process.kill(proc.pid!, 'SIGTERM') // only the nginx master this file started
      await exited
    }
    rmSync(dir, { recursive: true, force: true })
  }
  for (const t of timers) clearTimeout(t)
  for (const s of upgraded) s.destroy()
  for (const s of servers) s.closeAllConnections()
  await Promise.all(servers.map(close))
})

// ---- helpers --------------------------------------------------------------------------------------

const hitsSince = (mark: number): Seen[] => seen.slice(mark)
async function expectGatewayError (res: Response, status: number, code: string): Promise<void> {
  expect(res.status).toBe(status)
  expect(res.headers.get('content-type')).toBe('application/json')
  const body = await res.json() as { error: { code: string, message: string, requestId: string } }
  expect(body.error.code).toBe(code)
  expect(body.error.message).toEqual(expect.any(String))
  expect(body.error.requestId).toBe(res.headers.get('x-request-id'))
}
function expectSecurityHeaders (res: Response): void {
  expect(res.headers.get('content-security-policy')).toBe(CSP)
  expect(res.headers.get('x-content-type-options')).toBe('nosniff')
  expect(res.headers.get('x-frame-options')).toBe('DENY')
  expect(res.headers.get('referrer-policy')).toBe('no-referrer')
  expect(res.headers.get('permissions-policy')).toMatch(/camera=\(\).*geolocation=\(\).*microphone=\(\)/)
  expect(res.headers.get('cross-origin-opener-policy')).toBe('same-origin')
  expect(res.headers.get('cross-origin-resource-policy')).toBe('same-origin')
  expect(res.headers.get('x-powered-by')).toBeNull()
  expect(res.headers.get('server') ?? '').not.toMatch(/[0-9]/) // no version
  expect(res.headers.get('access-control-allow-origin')).toBeNull()
}

// ---- tests ----------------------------------------------------------------------------------------

describe('gateway routing', () => {
  it('proxies /api/<service>/… to that service, query string included', async () => {
    const fleet = readFleet(ROOT, {}).services.filter((s) => s.name !== DOWN)
    for (const { name } of fleet) {
      const res = await fetch(`${main}/api/${name}/x?q=1`)
      expect(res.status).toBe(200)
      const body = await res.json() as { service: string, url: string, method: string }
      expect(body).toMatchObject({ service: name, url: `/api/${name}/x?q=1`, method: 'GET' })
    }
  })

  it('answers a JSON 404 for /internal/ and /api/*/internal/* without reaching any service', async () => {
    const mark = seen.length
    for (const path of ['/internal/anything', '/internal/auth/keys/verify', '/api/auth/internal/x', '/api/chat/internal', '/api/auth/%69nternal/x']) {
      await expectGatewayError(await fetch(`${main}${path}`), 404, 'GATEWAY_NOT_FOUND')
    }
    expect(hitsSince(mark)).toEqual([])
  })

  it('never proxies /metrics, and answers a JSON 404 for a service not in the fleet', async () => {
    const mark = seen.length
    await expectGatewayError(await fetch(`${main}/metrics`), 404, 'GATEWAY_NOT_FOUND')
    await expectGatewayError(await fetch(`${main}/api/nosuch/x`), 404, 'GATEWAY_NOT_FOUND')
    expect(hitsSince(mark)).toEqual([])
  })

  it('passes a service\'s own JSON 404 through unchanged', async () => {
    const res = await fetch(`${main}/api/auth/own404`)
    expect(res.status).toBe(404)
    expect(await res.text()).toBe(OWN_404)
  })

  it('answers its own /healthz', async () => {
    const res = await fetch(`${main}/healthz`)
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ status: 'ok', service: 'gateway' })
  })

  it('serves the web app, with index.html for client-side routes', async () => {
    const root = await fetch(`${main}/`)
    expect(root.status).toBe(200)
    expect(root.headers.get('content-type')).toMatch(/^text\/html/)
    const page = await root.text()
    expect(page).toMatch(/<html/i)
    const route = await fetch(`${main}/settings/profile`)
    expect(route.status).toBe(200)
    expect(await route.text()).toBe(page)
  })
})

describe('gateway headers', () => {
  it('overwrites a client-sent X-Forwarded-For with the address nginx saw', async () => {
    const res = await fetch(`${main}/api/auth/xff`, { headers: { 'X-Forwarded-For': '1.2.3.4' } })
    const body = await res.json() as { headers: Record<string, string> }
    expect(body.headers['x-forwarded-for']).toBe('127.0.0.1')
  })

  it('generates X-Request-Id when absent, keeps a valid one, and replaces a malformed one', async () => {
    const fresh = await fetch(`${main}/api/auth/rid`)
    const freshId = fresh.headers.get('x-request-id')
    expect(freshId).toMatch(/^[0-9a-f]{32}$/)
    expect(((await fresh.json()) as { headers: Record<string, string> }).headers['x-request-id']).toBe(freshId)

    const kept = await fetch(`${main}/api/auth/rid`, { headers: { 'X-Request-Id': 'client-id-123' } })
    expect(kept.headers.get('x-request-id')).toBe('client-id-123') // once: the service's echo is dropped
    expect(((await kept.json()) as { headers: Record<string, string> }).headers['x-request-id']).toBe('client-id-123')

    const bad = await fetch(`${main}/internal/x`, { headers: { 'X-Request-Id': 'a"b' } })
    expect(bad.headers.get('x-request-id')).toMatch(/^[0-9a-f]{32}$/)
    expect(((await bad.json()) as { error: { requestId: string } }).error.requestId).toBe(bad.headers.get('x-request-id'))
  })

  it('puts every security header on an API response, a static page and a gateway error', async () => {
    const api = await fetch(`${main}/api/auth/x`)
    const page = await fetch(`${main}/`)
    const error = await fetch(`${main}/internal/x`)
    for (const res of [api, page, error]) expectSecurityHeaders(res)
    expect(api.headers.get('cache-control')).toBe('no-store') // the service's max-age=600 is dropped
    expect(error.headers.get('cache-control')).toBeNull() // /internal/ is not /api/
  })

  it('marks gateway errors under /api/ no-store too', async () => {
    const res = await fetch(`${main}/api/auth/internal/x`)
    expect(res.headers.get('cache-control')).toBe('no-store')
    expectSecurityHeaders(res)
  })
})

describe('gateway limits and upstream failures', () => {
  it('rejects a body over 1 MiB with 413 GATEWAY_PAYLOAD_TOO_LARGE before the service sees it', async () => {
    const mark = seen.length
    const res = await fetch(`${main}/api/auth/upload`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: Buffer.alloc(1024 * 1024 + 1, 0x20) })
    await expectGatewayError(res, 413, 'GATEWAY_PAYLOAD_TOO_LARGE')
    expect(hitsSince(mark)).toEqual([])
  })

  it('applies per-service body limits from fleet.json (chat 256k, github-bot 10m)', async () => {
    const chat = await fetch(`${main}/api/chat/messages`, { method: 'POST', body: Buffer.alloc(300 * 1024, 0x20) })
    await expectGatewayError(chat, 413, 'GATEWAY_PAYLOAD_TOO_LARGE')
    const github = await fetch(`${main}/api/github-bot/webhooks`, { method: 'POST', body: Buffer.alloc(2 * 1024 * 1024, 0x20) })
    expect(github.status).toBe(200)
    expect(((await github.json()) as { bodyBytes: number }).bodyBytes).toBe(2 * 1024 * 1024)
  })

  it('answers 502 GATEWAY_UPSTREAM_UNAVAILABLE when the service is down', async () => {
    const res = await fetch(`${main}/api/${DOWN}/x`)
    await expectGatewayError(res, 502, 'GATEWAY_UPSTREAM_UNAVAILABLE')
    expectSecurityHeaders(res)
  })

  it('answers 504 GATEWAY_UPSTREAM_TIMEOUT when the service is slower than its read timeout', async () => {
    await expectGatewayError(await fetch(`${main}/api/${SLOW}/slow`), 504, 'GATEWAY_UPSTREAM_TIMEOUT')
  })

  it('answers 429 GATEWAY_RATE_LIMITED with Retry-After over the per-address limit', async () => {
    const replies = await Promise.all(Array.from({ length: 12 }, async () => fetch(`${limited}/api/auth/x`)))
    const rejected = replies.filter((r) => r.status === 429)
    expect(replies.some((r) => r.status === 200)).toBe(true)
    expect(rejected.length).toBeGreaterThan(0)
    await expectGatewayError(rejected[0]!, 429, 'GATEWAY_RATE_LIMITED')
    expect(rejected[0]!.headers.get('retry-after')).toBe('1')
    expectSecurityHeaders(rejected[0]!)
    await Promise.all(replies.filter((r) => !r.bodyUsed).map(async (r) => r.body?.cancel()))
  })
})

describe('gateway streaming and WebSocket', () => {
  it('passes a chat stream through as it is produced (proxy_buffering off)', async () => {
    const res = await fetch(`${main}/api/chat/stream`)
    expect(res.status).toBe(200)
    const reader = res.body!.getReader()
    const first = await reader.read()
    expect(new TextDecoder().decode(first.value)).toContain('{"n":1}')
    expect(stream.finished).toBe(false) // the first chunk came before the upstream finished
    stream.release()
    let rest = ''
    for (let r = await reader.read(); !r.done; r = await reader.read()) rest += new TextDecoder().decode(r.value)
    expect(rest).toContain('{"n":2}')
  })

  it('does not buffer a streaming service\'s response (backpressure reaches the service)', async () => {
    const res = await fetch(`${main}/api/gpu-coordinator/flood`)
    expect(res.status).toBe(200)
    for (let i = 0; i < 100 && !flood.stalled && !flood.finished; i++) await new Promise((resolve) => setTimeout(resolve, 100))
    expect(flood.finished).toBe(false)
    expect(flood.stalled).toBe(true)
    expect(flood.written).toBeLessThan(FLOOD_BYTES)
    await res.body!.cancel()
  }, 20_000)

  it('upgrades /ws to the chat service and carries data both ways', async () => {
    const mark = seen.length
    const socket = net.connect(Number(new URL(main).port), '127.0.0.1')
    let received = ''
    const until = (text: string): Promise<void> => new Promise((resolve, reject) => {
      const check = (): void => { if (received.includes(text)) { socket.off('data', onData); resolve() } }
      const onData = (d: Buffer): void => { received += d.toString(); check() }
      socket.on('data', onData)
      socket.once('error', reject)
      check()
    })
    socket.write('GET /ws HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n' +
      'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n')
    await until('\r\n\r\n')
    expect(received).toMatch(/^HTTP\/1\.1 101 /)
    socket.write('ping-through-gateway')
    await until('ping-through-gateway')
    socket.destroy()
    const upgrade = hitsSince(mark).find((s) => s.upgrade)
    expect(upgrade).toMatchObject({ service: 'chat', url: '/ws' })
    expect(upgrade!.headers.upgrade).toBe('websocket')
    expect(upgrade!.headers.connection).toBe('upgrade')
    expect(upgrade!.headers['x-forwarded-for']).toBe('127.0.0.1')
  })
})
