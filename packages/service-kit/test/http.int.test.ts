// The error model, body rules and identity checks of every service, through inject() on a real kit app.
import { describe, expect, it } from 'vitest'
import { Type } from 'typebox'
import { SignJWT } from 'jose'
import { captureLogs, mintAccessToken } from '@robbie/testing'
import { Str } from '@robbie/contracts'
import { createService, defineConfig, loadConfig } from '../src/index.js'
import { buildKitApp, serviceDir } from './helper.js'

const logs = captureLogs()
const { app, ctx } = await buildKitApp({
  env: { LOG_LEVEL: 'info' },
  deps: { logDestination: logs.stream },
  routes: (app) => {
    app.post('/api/priorities/echo', {
      config: { scope: 'priorities:write' },
      schema: {
        body: Type.Object({ title: Str(20, 1), count: Type.Optional(Type.Integer({ minimum: 0, maximum: 10 })) }, { additionalProperties: false }),
        response: { 200: Type.Object({ title: Type.String() }, { additionalProperties: false }) }
      }
    }, async (request) => ({ title: (request.body as { title: string }).title, leaked: 'not in the schema' }))
    app.post('/api/priorities/company-only', { config: { scope: 'auth:admin' } }, async () => ({ ok: true }))
    app.get('/api/priorities/boom', { config: { scope: 'priorities:read' } }, async () => {
      throw Object.assign(new Error('syntax error at or near "SELEKT" in auth.users'), { code: '42601' })
    })
  }
})
const writer = await mintAccessToken({ role: 'member' })
const auth = { authorization: `Bearer ${writer}` }

describe('error model (SPEC §0.2)', () => {
  it('answers a schema violation with 400 and a detail per failing path', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/priorities/echo', headers: auth, payload: { title: '', count: 99 } })
    expect(res.statusCode).toBe(400)
    const body = res.json()
    expect(body.error.code).toBe('PRIORITIES_VALIDATION_FAILED')
    expect(body.error.requestId).toBe(res.headers['x-request-id'])
    expect(body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['body/count', 'body/title'])
  })

  it('refuses unknown fields instead of dropping them', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/priorities/echo', headers: auth, payload: { title: 'a', extra: 1 } })
    expect(res.statusCode).toBe(400)
    expect(res.json().error.details).toEqual([{ path: 'body/extra', rule: 'additionalProperties' }])
  })

  it('emits only what the response schema lists', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/priorities/echo', headers: auth, payload: { title: 'ok' } })
    expect(res.statusCode).toBe(200)
    expect(res.json()).toEqual({ title: 'ok' })
  })

  it('answers other content types with 415, malformed JSON and prototype keys with 400', async () => {
    const text = await app.inject({ method: 'POST', url: '/api/priorities/echo', headers: { ...auth, 'content-type': 'text/plain' }, payload: 'hi' })
    expect([text.statusCode, text.json().error.code]).toEqual([415, 'PRIORITIES_UNSUPPORTED_MEDIA_TYPE'])
    const bad = await app.inject({ method: 'POST', url: '/api/priorities/echo', headers: { ...auth, 'content-type': 'application/json' }, payload: '{"title": ' })
    expect([bad.statusCode, bad.json().error.code]).toEqual([400, 'PRIORITIES_VALIDATION_FAILED'])
    for (const payload of ['{"title":"a","__proto__":{"admin":true}}', '{"title":"a","constructor":{"prototype":{"x":1}}}']) {
      const res = await app.inject({ method: 'POST', url: '/api/priorities/echo', headers: { ...auth, 'content-type': 'application/json' }, payload })
      expect([res.statusCode, res.json().error.code]).toEqual([400, 'PRIORITIES_VALIDATION_FAILED'])
    }
  })

  it('answers an oversized body with 413', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/priorities/echo', headers: { ...auth, 'content-type': 'application/json' }, payload: JSON.stringify({ title: 'x'.repeat(1_100_000) }) })
    expect([res.statusCode, res.json().error.code]).toEqual([413, 'PRIORITIES_PAYLOAD_TOO_LARGE'])
  })

  it('hides the cause of a 5xx: no stack, SQL or internal message', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/priorities/boom', headers: auth })
    expect(res.statusCode).toBe(500)
    expect(res.json().error.code).toBe('PRIORITIES_INTERNAL')
    expect(res.body).not.toMatch(/SELEKT|auth\.users|at .*\.ts/)
    expect(logs.text()).toContain('SELEKT') // the cause is in our logs, where operators look
  })

  it('refuses what Postgres and jsonb cannot hold: NUL, lone surrogates, non-finite numbers, bad UTF-8', async () => {
    const cases: Array<[string, string | Buffer]> = [
      ['NUL', '{"title":"a\\u0000b"}'],
      ['lone surrogate', '{"title":"\\ud800"}'],
      ['1e309', '{"title":"a","count":1e309}'],
      ['invalid UTF-8', Buffer.concat([Buffer.from('{"title":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')])]
    ]
    for (const [what, payload] of cases) {
      const res = await app.inject({ method: 'POST', url: '/api/priorities/echo', headers: { ...auth, 'content-type': 'application/json' }, payload })
      expect([what, res.statusCode, res.json().error.code]).toEqual([what, 400, 'PRIORITIES_VALIDATION_FAILED'])
    }
    const admin = { authorization: `Bearer ${await mintAccessToken({ role: 'admin' })}` }
    for (const limit of ['Infinity', '1e309', '-Infinity', 'NaN']) {
      const res = await app.inject({ url: `/api/priorities/admin/dead-letters?limit=${limit}`, headers: admin })
      expect([limit, res.statusCode]).toEqual([limit, 400])
    }
  })

  it('answers an over-long path parameter with the standard body', async () => {
    const res = await app.inject({ method: 'POST', url: `/api/priorities/admin/dead-letters/${'1'.repeat(150)}/replay`, headers: auth })
    expect([res.statusCode, res.json().error.code]).toEqual([400, 'PRIORITIES_VALIDATION_FAILED'])
    const admin = { authorization: `Bearer ${await mintAccessToken({ role: 'admin' })}` }
    const huge = await app.inject({ method: 'POST', url: '/api/priorities/admin/dead-letters/99999999999999999999-1/replay', headers: admin })
    expect([huge.statusCode, huge.json().error.code]).toEqual([404, 'PRIORITIES_NOT_FOUND'])
  })

  it('answers 404 for unknown paths and 405 with Allow for known paths', async () => {
    const missing = await app.inject({ method: 'GET', url: '/api/priorities/nothing-here' })
    expect([missing.statusCode, missing.json().error.code]).toEqual([404, 'PRIORITIES_NOT_FOUND'])
    const wrong = await app.inject({ method: 'DELETE', url: '/api/priorities/echo' })
    expect(wrong.statusCode).toBe(405)
    expect(wrong.headers.allow).toBe('POST')
  })
})

describe('identity on every route (SPEC §0.1, §2.3)', () => {
  it('answers 401 without a credential and with forged tokens', async () => {
    const unsigned = `${Buffer.from('{"alg":"none","typ":"at+jwt"}').toString('base64url')}.${Buffer.from(JSON.stringify({ sub: 'x', scopes: ['priorities:write'], iss: 'robbie', aud: 'robbie' })).toString('base64url')}.`
    const hs256 = await new SignJWT({ scopes: ['priorities:write'] }).setProtectedHeader({ alg: 'HS256', typ: 'at+jwt' }).setSubject('x')
      .setIssuer('robbie').setAudience('robbie').setExpirationTime('1h').sign(new TextEncoder().encode('secret'))
    const expired = await mintAccessToken({ ttlS: -10 })
    for (const headers of [{}, { authorization: 'Bearer nonsense' }, { authorization: `Bearer ${unsigned}` }, { authorization: `Bearer ${hs256}` }, { authorization: `Bearer ${expired}` }, { authorization: writer }]) {
      const res = await app.inject({ method: 'POST', url: '/api/priorities/echo', headers, payload: { title: 'a' } })
      expect([res.statusCode, res.json().error.code]).toEqual([401, 'PRIORITIES_UNAUTHENTICATED'])
    }
  })

  it('answers 403 when the scope or role is missing', async () => {
    // a member's role holds priorities:write but not auth:admin (SPEC §2.3)
    const res = await app.inject({ method: 'POST', url: '/api/priorities/company-only', headers: auth })
    expect([res.statusCode, res.json().error.code]).toEqual([403, 'PRIORITIES_FORBIDDEN'])
    const member = await app.inject({ method: 'GET', url: '/api/priorities/admin/dead-letters', headers: auth })
    expect(member.statusCode).toBe(403)
  })

  it('keeps internal routes to service identities', async () => {
    const res = await app.inject({ method: 'GET', url: '/internal/priorities/openapi.json', headers: auth })
    expect([res.statusCode, res.json().error.code]).toEqual([403, 'PRIORITIES_FORBIDDEN'])
  })

  it('refuses to register a route that declares no identity requirement', async () => {
    const other = await createService({ name: 'priorities', config: loadConfig(defineConfig({}), ctx.env), serviceDir })
    expect(() => other.get('/api/priorities/open', async () => ({}))).toThrow(/declares no identity requirement/)
    await other.close()
  })
})

describe('request ids and logs', () => {
  it('keeps the gateway\'s X-Request-Id and redacts credentials from logs', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/priorities/echo', headers: { ...auth, 'x-request-id': 'gw-req-123' }, payload: { title: 'hello' } })
    expect(res.headers['x-request-id']).toBe('gw-req-123')
    const lines = logs.records().filter((r) => r.requestId === 'gw-req-123')
    expect(lines.length).toBeGreaterThan(0)
    expect(logs.text()).not.toContain(writer)
  })

  it('replaces a malformed request id', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/priorities/healthz', headers: { 'x-request-id': 'bad id with spaces' } })
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/)
  })
})
