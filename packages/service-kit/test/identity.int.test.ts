// Identity beyond the signature: revoked sessions, API keys with their cache and revocation, refusals in the
// audit chain, and rate limits with their Redis fallbacks (SPEC §0.5, §2.1, §2.3, §2.4).
import { describe, expect, it } from 'vitest'
import { Redis } from 'ioredis'
import { generateApiKey, type Identity } from '@robbie/contracts'
import { verifyChain, type AuditEvent } from '../src/index.js'
import { closedPort, mintAccessToken, testContext, testEnv } from '@robbie/testing'
import { buildKitApp } from './helper.js'

const ctx = await testContext('priorities')
const good = generateApiKey('pat')
const service = generateApiKey('svc')
let verifyCalls = 0
const identities = new Map<string, Identity>([
  [good.key, { kind: 'user', id: 'user-with-key', role: 'member', scopes: ['priorities:read'], keyId: good.id }],
  [service.key, { kind: 'service', id: 'svc:chat', scopes: [], keyId: service.id }]
])
const { app } = await buildKitApp({
  ctx,
  deps: {
    // stands in for auth's /internal/auth/keys/verify, whose own tests live with the auth service
    verifyApiKey: async (key) => { verifyCalls++; const identity = identities.get(key); return identity ? { identity, expiresAt: null } : null }
  },
  routes: (app) => {
    app.get('/api/priorities/mine', { config: { scope: 'priorities:read' } }, async (request) => ({ id: request.identity!.id }))
    app.get('/internal/priorities/for-chat', { config: { allowedCallers: ['chat'] } }, async (request) => ({ id: request.identity!.id }))
    app.get('/internal/priorities/for-auth', { config: { allowedCallers: ['auth'] } }, async () => ({}))
  }
})
const redis = new Redis(testEnv().redisUrl)
const bearer = (t: string) => ({ authorization: `Bearer ${t}` })

describe('sessions', () => {
  it('refuses an access token whose session is on the denylist', async () => {
    const token = await mintAccessToken({ sid: 'session-to-end' })
    expect((await app.inject({ url: '/api/priorities/mine', headers: bearer(token) })).statusCode).toBe(200)
    await redis.set(`${ctx.prefix}auth:denied-sid:session-to-end`, '1', 'EX', 900)
    expect((await app.inject({ url: '/api/priorities/mine', headers: bearer(token) })).statusCode).toBe(401)
  })

  it('refuses a token that brings its own key or an unknown kid', async () => {
    const token = await mintAccessToken()
    const [, payload, signature] = token.split('.')
    const header = Buffer.from(JSON.stringify({ alg: 'EdDSA', typ: 'at+jwt', kid: 'not-ours', jku: 'http://evil.example/jwks' })).toString('base64url')
    expect((await app.inject({ url: '/api/priorities/mine', headers: bearer(`${header}.${payload}.${signature}`) })).statusCode).toBe(401)
  })
})

describe('API keys and service keys', () => {
  it('accepts a valid key, caches it, and drops it the moment it is revoked', async () => {
    const before = verifyCalls
    expect((await app.inject({ url: '/api/priorities/mine', headers: bearer(good.key) })).json()).toEqual({ id: 'user-with-key' })
    expect((await app.inject({ url: '/api/priorities/mine', headers: bearer(good.key) })).statusCode).toBe(200)
    expect(verifyCalls - before).toBe(1) // the second request came from the cache
    await redis.sadd(`${ctx.prefix}auth:revoked-keys`, good.id)
    expect((await app.inject({ url: '/api/priorities/mine', headers: bearer(good.key) })).statusCode).toBe(401)
  })

  it('refuses a key with a bad checksum without asking auth', async () => {
    const before = verifyCalls
    const broken = good.key.slice(0, -1) + (good.key.endsWith('A') ? 'B' : 'A')
    expect((await app.inject({ url: '/api/priorities/mine', headers: bearer(broken) })).statusCode).toBe(401)
    expect(verifyCalls).toBe(before)
  })

  it('lets named services call internal routes, and nobody else', async () => {
    expect((await app.inject({ url: '/internal/priorities/for-chat', headers: bearer(service.key) })).json()).toEqual({ id: 'svc:chat' })
    expect((await app.inject({ url: '/internal/priorities/for-auth', headers: bearer(service.key) })).statusCode).toBe(403)
    // a service key holds no <service>:<verb> scope: public routes need a user
    expect((await app.inject({ url: '/api/priorities/mine', headers: bearer(service.key) })).statusCode).toBe(403)
  })
})

describe('audit', () => {
  it('records every refusal in the service chain, which verifies', async () => {
    const token = await mintAccessToken({ role: 'member', sub: 'member-who-tried' })
    expect((await app.inject({ url: '/api/priorities/admin/dead-letters', headers: bearer(token) })).statusCode).toBe(403)
    const authKey = generateApiKey('svc')
    identities.set(authKey.key, { kind: 'service', id: 'svc:auth', scopes: [], keyId: authKey.id })
    const res = await app.inject({ url: '/internal/priorities/audit?actorId=member-who-tried', headers: bearer(authKey.key) })
    expect(res.statusCode).toBe(200)
    const [row] = res.json().items as AuditEvent[]
    expect(row).toMatchObject({ action: 'access.denied', outcome: 'denied', actorType: 'user', resourceId: 'GET /api/priorities/admin/dead-letters', service: 'priorities' })
    const all = (await app.inject({ url: '/internal/priorities/audit?fromSeq=1&limit=1000', headers: bearer(authKey.key) })).json().items as AuditEvent[]
    expect(verifyChain(all)).toMatchObject({ ok: true, checked: all.length })
  })

  it('gives the runtime role no way to rewrite the chain', async () => {
    await expect(app.db.query("UPDATE audit_events SET outcome = 'success'")).rejects.toMatchObject({ code: '42501' })
    await expect(app.db.query('DELETE FROM audit_events')).rejects.toMatchObject({ code: '42501' })
  })
})

describe('rate limits', () => {
  it('answers 429 with Retry-After past the limit, per identity', async () => {
    const token = await mintAccessToken()
    const codes: number[] = []
    for (let i = 0; i < 45; i++) codes.push((await app.inject({ url: '/api/priorities/mine', headers: bearer(token) })).statusCode)
    expect(codes.filter((c) => c === 200)).toHaveLength(40)
    const limited = await app.inject({ url: '/api/priorities/mine', headers: bearer(token) })
    expect([limited.statusCode, limited.json().error.code]).toEqual([429, 'PRIORITIES_RATE_LIMITED'])
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1)
    // another identity has its own bucket
    expect((await app.inject({ url: '/api/priorities/mine', headers: bearer(await mintAccessToken()) })).statusCode).toBe(200)
  })

  it('covers the 404 handler and counts failed credentials per address', async () => {
    let last = 0
    for (let i = 0; i < 31; i++) last = (await app.inject({ url: '/api/priorities/mine', headers: bearer('robbie_pat_nonsense'), remoteAddress: '10.9.9.9' })).statusCode
    expect(last).toBe(429)
    const codes: number[] = []
    for (let i = 0; i < 42; i++) codes.push((await app.inject({ url: '/api/priorities/nope', remoteAddress: '10.9.9.8' })).statusCode)
    expect(codes.slice(0, 40).every((c) => c === 404)).toBe(true)
    expect(codes.at(-1)).toBe(429)
  })

  it('with Redis gone, fails open to memory for general routes and closed (503) for login', async () => {
    const { app: lonely } = await buildKitApp({
      env: { REDIS_URL: `redis://127.0.0.1:${await closedPort()}` },
      routes: (app) => { app.post('/api/priorities/login-like', { config: { public: true, limit: 'login' } }, async () => ({ ok: true })) }
    })
    expect((await lonely.inject({ url: '/api/priorities/healthz' })).statusCode).toBe(200)
    const login = await lonely.inject({ method: 'POST', url: '/api/priorities/login-like', payload: {} })
    expect([login.statusCode, login.json().error.code, login.headers['retry-after']]).toEqual([503, 'PRIORITIES_UNAVAILABLE', '5'])
  })
})
