// SPEC §11.1: healthz, readyz (and a Redis that is gone answers 503 quickly, not a hang), metrics, OpenAPI.
import { describe, expect, it } from 'vitest'
import { closedPort } from '@robbie/testing'
import { buildKitApp } from './helper.js'

const { app } = await buildKitApp()

describe('health, readiness, metrics, docs', () => {
  it('is live and ready with every check green', async () => {
    const health = await app.inject({ method: 'GET', url: '/api/priorities/healthz' })
    expect(health.json()).toMatchObject({ status: 'ok', service: 'priorities' })
    const ready = await app.inject({ method: 'GET', url: '/api/priorities/readyz' })
    expect(ready.statusCode).toBe(200)
    expect(ready.json()).toEqual({ status: 'ready', checks: { postgres: { ok: true }, redis: { ok: true }, migrations: { ok: true } } })
  })

  it('is not ready when Redis cannot be reached', async () => {
    const { app: lonely } = await buildKitApp({ env: { REDIS_URL: `redis://127.0.0.1:${await closedPort()}` } })
    const ready = await lonely.inject({ method: 'GET', url: '/api/priorities/readyz' })
    expect(ready.statusCode).toBe(503)
    expect(ready.json().status).toBe('not_ready')
    expect(ready.json().checks.redis.ok).toBe(false)
    expect(ready.json().checks.postgres.ok).toBe(true)
  })

  it('counts requests by route template in Prometheus format', async () => {
    await app.inject({ method: 'GET', url: '/api/priorities/healthz' })
    const res = await app.inject({ method: 'GET', url: '/metrics' })
    expect(res.headers['content-type']).toContain('text/plain')
    expect(res.body).toMatch(/robbie_http_requests_total\{[^}]*route="\/api\/priorities\/healthz"[^}]*service="priorities"[^}]*\} \d+/)
    expect(res.body).toContain('robbie_http_request_duration_seconds_bucket')
  })

  it('documents public routes publicly and internal ones separately', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/api/priorities/openapi.json' })).json()
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/priorities/healthz', '/api/priorities/readyz', '/api/priorities/admin/dead-letters']))
    expect(Object.keys(doc.paths).some((p) => p.startsWith('/internal') || p === '/metrics')).toBe(false)
    const page = await app.inject({ method: 'GET', url: '/api/priorities/docs/' })
    expect(page.statusCode).toBe(200)
    expect(page.headers['content-type']).toContain('text/html')
  })
})
