// HTTPS at the edge (SPEC §11.4): the development certificate (scripts/lib/tls.mjs) and the real nginx,
// rendered from gateway/nginx.conf.template with it, in front of a stand-in upstream (plain node:http) on
// the fleet's service ports. Clients are Node's own TLS stack, trusting only the development certificate.
import { spawn, type ChildProcess } from 'node:child_process'
import { X509Certificate } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import http, { type IncomingHttpHeaders } from 'node:http'
import https from 'node:https'
import net from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import tls from 'node:tls'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readFleet } from '../../scripts/lib/fleet.mjs'
import { findNginx, nginxArgs, renderGateway } from '../../scripts/lib/gateway.mjs'
import { DEV_CERT_DAYS, devCertificatePaths, devCertificateProblem, ensureDevCertificate } from '../../scripts/lib/tls.mjs'

const ROOT = resolve(import.meta.dirname, '..', '..')
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
const HSTS = 'max-age=63072000; includeSubDomains'
const DAY_MS = 24 * 60 * 60 * 1000

const runDir = mkdtempSync(join(tmpdir(), 'robbie-tls-'))
const servers: http.Server[] = []
let nginx: ChildProcess | null = null
let httpPort = 0
let httpsPort = 0
let ca = ''

// ---- helpers --------------------------------------------------------------------------------------

const listen = (server: net.Server, port: number): Promise<void> => new Promise((resolve, reject) => {
  server.once('error', reject)
  server.listen(port, '127.0.0.1', () => { server.off('error', reject); resolve() })
})
const close = (server: net.Server): Promise<void> => new Promise((resolve) => server.close(() => resolve()))
const canListen = async (port: number): Promise<boolean> => {
  const s = net.createServer()
  try { await listen(s, port); await close(s); return true } catch { return false }
}

/** A gateway port whose HTTPS port (+ 443) is free too. */
async function freeGatewayPort (): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20000 + Math.floor(Math.random() * 40000)
    if (await canListen(port) && await canListen(port + 443)) return port
  }
  throw new Error('no free pair of gateway ports')
}

interface Answer { status: number, headers: IncomingHttpHeaders, body: string, protocol: string | null, cipher: string }
/** One HTTPS request that trusts only the development certificate; `tlsOptions` narrow the handshake. */
function get (path: string, tlsOptions: https.RequestOptions = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = https.request({ host: '127.0.0.1', servername: 'localhost', port: httpsPort, path, ca, agent: false, ...tlsOptions }, (res) => {
      const socket = res.socket as tls.TLSSocket
      const protocol = socket.getProtocol()
      const cipher = socket.getCipher().standardName
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => { body += chunk })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, protocol, cipher }))
    })
    req.on('error', reject)
    req.end()
  })
}
function getPlain (path: string): Promise<{ status: number, headers: IncomingHttpHeaders, body: string }> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port: httpPort, path, agent: false }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => { body += chunk })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
    }).on('error', reject)
  })
}
/** A bare TLS handshake with these options → the negotiated protocol and ALPN, or the error it failed with. */
function handshake (options: tls.ConnectionOptions): Promise<{ protocol: string | null, alpn: string | false | null, ticket: boolean } | { error: NodeJS.ErrnoException }> {
  return new Promise((resolve) => {
    const socket = tls.connect({ host: '127.0.0.1', servername: 'localhost', port: httpsPort, ca, ...options }, () => {
      // a TLS 1.2 ticket would arrive with the handshake; give a 1.3 one a moment
      setTimeout(() => {
        resolve({ protocol: socket.getProtocol(), alpn: socket.alpnProtocol ?? null, ticket: socket.getTLSTicket() !== undefined })
        socket.destroy()
      }, 100)
    })
    socket.on('error', (error) => resolve({ error }))
  })
}

function expectSecurityHeaders (headers: IncomingHttpHeaders): void {
  expect(headers['content-security-policy']).toBe(CSP)
  expect(headers['x-content-type-options']).toBe('nosniff')
  expect(headers['x-frame-options']).toBe('DENY')
  expect(headers['referrer-policy']).toBe('no-referrer')
  expect(headers['permissions-policy']).toMatch(/camera=\(\).*geolocation=\(\).*microphone=\(\)/)
  expect(headers['cross-origin-opener-policy']).toBe('same-origin')
  expect(headers['cross-origin-resource-policy']).toBe('same-origin')
  expect(headers['x-request-id']).toMatch(/^[0-9a-f]{32}$/)
  expect(headers['x-powered-by']).toBeUndefined()
  expect(headers.server ?? '').not.toMatch(/[0-9]/)
  expect(headers['access-control-allow-origin']).toBeUndefined()
}

// ---- set-up ---------------------------------------------------------------------------------------

beforeAll(async () => {
  const made = ensureDevCertificate({ runDir })
  ca = readFileSync(made.cert, 'utf8')

  httpPort = await freeGatewayPort()
  httpsPort = httpPort + 443
  // The stand-in listens on auth's port (first in the fleet): the other services are simply down.
  const upstream = http.createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'x-powered-by': 'stand-in', 'strict-transport-security': 'max-age=1' })
    res.end(JSON.stringify({ service: 'auth', url: req.url, headers: req.headers }))
  })
  const upstreamPort = await (async () => {
    for (let attempt = 0; attempt < 50; attempt++) {
      const port = 20000 + Math.floor(Math.random() * 40000)
      if (port === httpPort || port === httpsPort) continue
      try { await listen(upstream, port); return port } catch { /* taken */ }
    }
    throw new Error('no free upstream port')
  })()
  servers.push(upstream)

  const env = { ROBBIE_PORT_BASE: String(httpPort), ROBBIE_SERVICE_PORT_BASE: String(upstreamPort - 1), ROBBIE_GATEWAY_WORKERS: '1' }
  renderGateway({ rootDir: ROOT, runDir, fleet: readFleet(ROOT, env), env })
  const binary = findNginx()
  if (!binary) throw new Error('nginx is not installed (apt-get install -y nginx)')
  nginx = spawn(binary, [...nginxArgs(join(runDir, 'nginx', 'nginx.conf')), '-g', 'daemon off;'], { stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  nginx.stderr!.on('data', (d: Buffer) => { stderr += d.toString() })
  for (let i = 0; i < 100; i++) {
    if (nginx.exitCode !== null) break
    try { if ((await get('/healthz')).status === 200) return } catch { /* not listening yet */ }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  let log = ''
  try { log = readFileSync(join(runDir, 'logs', 'gateway.error.log'), 'utf8') } catch { /* none */ }
  throw new Error(`nginx did not start: ${stderr}\n${log}`)
}, 30_000)

afterAll(async () => {
  if (nginx && nginx.exitCode === null) {
    const exited = new Promise((resolve) => nginx!.once('exit', resolve))
    process.kill(nginx.pid!, 'SIGTERM') // only the nginx master this file started
    await exited
  }
  for (const s of servers) s.closeAllConnections()
  await Promise.all(servers.map(close))
  rmSync(runDir, { recursive: true, force: true })
})

// ---- tests ----------------------------------------------------------------------------------------

describe('development certificate', () => {
  it('is a self-signed localhost certificate with a private key only its owner reads', () => {
    const { cert, key } = devCertificatePaths(runDir)
    const x509 = new X509Certificate(readFileSync(cert))
    expect(x509.subjectAltName).toBe('DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1')
    expect(x509.issuer).toBe(x509.subject)
    expect(x509.verify(x509.publicKey)).toBe(true) // self-signed
    expect(x509.ca).toBe(false)
    expect(x509.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1')
    const days = (Date.parse(x509.validTo) - Date.parse(x509.validFrom)) / DAY_MS
    expect(days).toBeGreaterThan(DEV_CERT_DAYS - 1)
    expect(days).toBeLessThanOrEqual(DEV_CERT_DAYS)
    expect(statSync(key).mode & 0o777).toBe(0o600)
    expect(statSync(join(runDir, 'tls')).mode & 0o777).toBe(0o700)
  })

  it('is left alone while valid, and remade when broken or expiring within 30 days', () => {
    const { cert } = devCertificatePaths(runDir)
    const before = readFileSync(cert, 'utf8')
    expect(ensureDevCertificate({ runDir })).toMatchObject({ created: false, reason: null })
    expect(readFileSync(cert, 'utf8')).toBe(before)

    const validTo = Date.parse(new X509Certificate(before).validTo)
    expect(devCertificateProblem(devCertificatePaths(runDir), { now: validTo - 31 * DAY_MS })).toBeNull()
    expect(devCertificateProblem(devCertificatePaths(runDir), { now: validTo - 29 * DAY_MS })).toMatch(/^expiring on /)

    // A copy in another run dir, broken: remade (the served one stays as it is).
    const other = mkdtempSync(join(tmpdir(), 'robbie-tls-other-'))
    try {
      const first = ensureDevCertificate({ runDir: other })
      writeFileSync(first.cert, 'not a certificate')
      const again = ensureDevCertificate({ runDir: other })
      expect(again).toMatchObject({ created: true, reason: expect.stringMatching(/^unreadable/) })
      expect(devCertificateProblem(again)).toBeNull()
    } finally {
      rmSync(other, { recursive: true, force: true })
    }
  })
})

describe('HTTPS on the base port + 443', () => {
  it('completes a TLS 1.2 and a TLS 1.3 handshake, offering HTTP/2', async () => {
    expect(await handshake({ minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3', ALPNProtocols: ['h2', 'http/1.1'] }))
      .toMatchObject({ protocol: 'TLSv1.3', alpn: 'h2' })
    expect(await handshake({ minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2', ALPNProtocols: ['h2', 'http/1.1'] }))
      .toMatchObject({ protocol: 'TLSv1.2', alpn: 'h2' })
    const over12 = await get('/healthz', { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' })
    expect(over12).toMatchObject({ status: 200, protocol: 'TLSv1.2' })
    expect(over12.cipher).toMatch(/^TLS_ECDHE_ECDSA_WITH_(AES_128_GCM|AES_256_GCM|CHACHA20_POLY1305)/)
  })

  it('refuses TLS 1.1 (and 1.0) and ciphers outside Mozilla intermediate, and issues no TLS 1.2 session tickets', async () => {
    // SECLEVEL=0 lets this client offer TLS 1.0/1.1 at all, so the refusal is the server's: a protocol alert.
    for (const version of ['TLSv1.1', 'TLSv1'] as const) {
      const old = await handshake({ minVersion: version, maxVersion: version, ciphers: 'DEFAULT:@SECLEVEL=0' })
      expect('error' in old && old.error.code, version).toBe('ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION')
    }
    // The same client settings reach the server over TLS 1.2, so the refusal above is about the version.
    expect(await handshake({ maxVersion: 'TLSv1.2', ciphers: 'DEFAULT:@SECLEVEL=0' })).toMatchObject({ protocol: 'TLSv1.2' })
    // CBC (no AEAD) is not in the intermediate list.
    const cbc = await handshake({ minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-AES128-SHA256:ECDHE-ECDSA-AES128-SHA' })
    expect('error' in cbc && cbc.error.code).toMatch(/HANDSHAKE_FAILURE|NO_SHARED_CIPHER/)
    expect(await handshake({ minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' })).toMatchObject({ protocol: 'TLSv1.2', ticket: false })
  })

  it('is trusted for localhost only through the development certificate', async () => {
    const untrusted = await handshake({ ca: undefined })
    expect('error' in untrusted && untrusted.error.code).toBe('DEPTH_ZERO_SELF_SIGNED_CERT')
  })

  it('sends HSTS on HTTPS answers only, and every SPEC §11.4 header on both', async () => {
    for (const path of ['/', '/api/auth/me', '/internal/x', '/api/nosuch/x']) {
      const secure = await get(path)
      expect(secure.headers['strict-transport-security'], path).toBe(HSTS) // the service's own is dropped
      expectSecurityHeaders(secure.headers)
      const plain = await getPlain(path)
      expect(plain.headers['strict-transport-security'], path).toBeUndefined()
      expectSecurityHeaders(plain.headers)
    }
    expect((await get('/api/auth/me')).headers['cache-control']).toBe('no-store')
  })

  it('proxies /api/<service>/… to the service, telling it the request came over HTTPS', async () => {
    const res = await get('/api/auth/me?q=1', { headers: { 'X-Forwarded-For': '1.2.3.4' } })
    expect(res.status).toBe(200)
    const body = JSON.parse(res.body) as { service: string, url: string, headers: Record<string, string> }
    expect(body).toMatchObject({ service: 'auth', url: '/api/auth/me?q=1' })
    expect(body.headers['x-forwarded-proto']).toBe('https')
    expect(body.headers['x-forwarded-for']).toBe('127.0.0.1')
    expect(res.headers['x-powered-by']).toBeUndefined()
  })

  it('answers /internal/ and /api/*/internal/* with the JSON 404, and a down service with the JSON 502', async () => {
    for (const path of ['/internal/auth/keys/verify', '/api/auth/internal/x']) {
      const res = await get(path)
      expect(res.status).toBe(404)
      expect(res.headers['content-type']).toBe('application/json')
      const body = JSON.parse(res.body) as { error: { code: string, requestId: string } }
      expect(body.error.code).toBe('GATEWAY_NOT_FOUND')
      expect(body.error.requestId).toBe(res.headers['x-request-id'])
    }
    const down = await get('/api/chat/x')
    expect(down.status).toBe(502)
    expect((JSON.parse(down.body) as { error: { code: string } }).error.code).toBe('GATEWAY_UPSTREAM_UNAVAILABLE')
  })

  it('serves the web app over HTTPS too', async () => {
    const page = await get('/settings')
    expect(page.status).toBe(200)
    expect(page.headers['content-type']).toMatch(/^text\/html/)
    expect(page.body).toMatch(/<html/i)
  })
})
