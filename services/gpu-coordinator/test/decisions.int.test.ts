// The decision log (SPEC §7.4) and the members' GPU quota (SPEC §7.2): a row per model call, read by owner and
// admins; GPU seconds charged to the token's sub; a member whose day is used up refused before queueing.
import { join } from 'node:path'
import { afterAll, describe, expect, it, vi } from 'vitest'
import { uuidv7 } from '@robbie/contracts'
import { withTransaction } from '@robbie/db'
import { createService, defineConfig, loadConfig } from '@robbie/service-kit'
import { buildTestApp, serviceEnv } from '@robbie/testing'
import { COMPANY_UPDATED } from '../src/modules/proxy/index.js'
import { bearer, buildProxyApp, createTestMesh, decisionOf, MODEL, startFakeAuth, startNode } from './proxy-helper.js'

const auth = await startFakeAuth({ memberGpuSecondsPerDay: 5 })
const a = await startNode('node-a')
const b = await startNode('node-b')
const { mesh } = createTestMesh([a, b])
const { app, url, ctx } = await buildProxyApp(mesh, { env: { ROBBIE_AUTH_URL: auth.url } })
const base = `${url}/api/gpu-coordinator`
afterAll(async () => { await a.fake.close(); await b.fake.close(); await auth.close() })

const chat = { model: MODEL, messages: [{ role: 'user', content: 'hello' }], stream: false }
const post = async (body: unknown, headers: Record<string, string>) =>
  await fetch(`${base}/api/chat`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) })
const decisions = async (query: string, headers: Record<string, string>) => await app.inject({ url: `/api/gpu-coordinator/decisions?${query}`, headers })
const usageOf = async (identity: string) =>
  Number((await app.db.query<{ s: number }>('SELECT coalesce(sum(gpu_seconds), 0) AS s FROM gpu_usage WHERE identity = $1', [identity])).rows[0]?.s)

describe('the decision log', () => {
  it('records each call: candidates, chosen node, failovers, outcome, timings', async () => {
    a.fake.failNext({ kind: 'status', status: 500 })
    const owner = await bearer('owner')
    const res = await post({ ...chat, stream: true }, { ...owner, 'x-request-id': 'req-decision-1' })
    expect(res.status).toBe(200)
    await res.text()
    await vi.waitFor(async () => { expect(await decisionOf(app, 'req-decision-1')).toBeDefined() })
    const listed = await decisions('requestId=req-decision-1', owner)
    expect(listed.statusCode).toBe(200)
    const { items, nextCursor } = listed.json<{ items: Array<Record<string, unknown>>, nextCursor: string | null }>()
    expect(nextCursor).toBeNull()
    expect(items).toHaveLength(1)
    expect(items[0]).toMatchObject({ requestId: 'req-decision-1', model: MODEL, class: 'interactive', chosen: 'node-b', nodeId: b.id, failovers: 1, outcome: 'ok', tokensOut: 3 })
    expect(items[0]!.ttftMs).toEqual(expect.any(Number))
    expect(items[0]!.durationMs).toEqual(expect.any(Number))
    expect((items[0]!.candidates as Array<{ node: string }>).map((c) => c.node)).toEqual(['node-a', 'node-b'])
  })

  it('records refusals without a node', async () => {
    const res = await post({ ...chat, model: 'missing:1b' }, { ...(await bearer('admin')), 'x-request-id': 'req-decision-2' })
    expect(res.status).toBe(404)
    await vi.waitFor(async () => { expect(await decisionOf(app, 'req-decision-2')).toMatchObject({ outcome: 'model_not_found', chosen: null, failovers: 0 }) })
  })

  it('filters by node and pages with a cursor; members may not read it', async () => {
    const owner = await bearer('owner')
    for (const id of ['req-page-1', 'req-page-2', 'req-page-3']) expect((await post(chat, { ...owner, 'x-request-id': id })).status).toBe(200)
    await vi.waitFor(async () => { expect(await decisionOf(app, 'req-page-3')).toBeDefined() })
    const first = (await decisions(`nodeId=${a.id}&limit=2`, owner)).json<{ items: Array<{ requestId: string, chosen: string }>, nextCursor: string }>()
    expect(first.items.map((i) => i.requestId)).toEqual(['req-page-3', 'req-page-2'])
    const second = (await decisions(`nodeId=${a.id}&limit=2&cursor=${first.nextCursor}`, owner)).json<{ items: Array<{ requestId: string, chosen: string }> }>()
    expect(second.items[0]?.requestId).toBe('req-page-1')
    expect([...first.items, ...second.items].every((i) => i.chosen === 'node-a')).toBe(true)
    const member = await decisions('', await bearer('member'))
    expect(member.statusCode).toBe(403)
    expect(member.json()).toMatchObject({ error: { code: 'GPU_COORDINATOR_FORBIDDEN' } })
    expect((await decisions('cursor=nonsense', owner)).json()).toMatchObject({ error: { code: 'GPU_COORDINATOR_VALIDATION_FAILED' } })
  })

  it('the purge job removes rows older than 7 days', async () => {
    await app.db.query("INSERT INTO decisions (id, request_id, at, model, class, identity, outcome, duration_ms) VALUES ($1, 'req-old', now() - interval '8 days', $2, 'batch', 'u', 'ok', 1)", [uuidv7(), MODEL])
    expect(await decisionOf(app, 'req-old')).toBeDefined()
    expect(await app.jobs.runOnce('decisions-purge')).toBe('success')
    expect(await decisionOf(app, 'req-old')).toBeUndefined()
    expect(await decisionOf(app, 'req-decision-1')).toBeDefined()
  })
})

describe('the GPU quota', () => {
  it('charges the node time of a call to the token\'s sub, also when a service acts for the user', async () => {
    const userId = uuidv7()
    expect((await post(chat, await bearer('member', { sub: userId, act: 'svc:chat' }))).status).toBe(200)
    await vi.waitFor(async () => { expect(await usageOf(userId)).toBeGreaterThan(0) })
  })

  it('refuses a member whose day is used up with 429 QUOTA_EXCEEDED and Retry-After, before any node sees it', async () => {
    const userId = uuidv7()
    await app.db.query('INSERT INTO gpu_usage (identity, day, gpu_seconds) VALUES ($1, (now() AT TIME ZONE \'UTC\')::date, 5)', [userId])
    const before = a.fake.received.length + b.fake.received.length
    const res = await post(chat, { ...(await bearer('member', { sub: userId })), 'x-request-id': 'req-quota-1' })
    expect(res.status).toBe(429)
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0)
    expect(await res.json()).toEqual({ error: 'GPU_COORDINATOR_QUOTA_EXCEEDED: Your 5 GPU-seconds for today are used up' })
    expect(a.fake.received.length + b.fake.received.length).toBe(before)
    await vi.waitFor(async () => { expect(await decisionOf(app, 'req-quota-1')).toMatchObject({ outcome: 'quota_exceeded' }) })
  })

  it('leaves the owner and admins unlimited', async () => {
    const ownerId = uuidv7()
    await app.db.query('INSERT INTO gpu_usage (identity, day, gpu_seconds) VALUES ($1, (now() AT TIME ZONE \'UTC\')::date, 99)', [ownerId])
    expect((await post(chat, await bearer('owner', { sub: ownerId }))).status).toBe(200)
    expect((await post(chat, await bearer('admin', { sub: ownerId }))).status).toBe(200)
  })

  it('reads the setting once, and again after auth.company.updated.v1', async () => {
    const calls = auth.calls()
    const member = await bearer('member')
    expect((await post(chat, member)).status).toBe(200)
    expect(auth.calls()).toBe(calls) // cached from the earlier member calls
    const producer = await buildTestApp(async () => await createService({
      name: 'auth',
      config: loadConfig(defineConfig({}), serviceEnv('auth', ctx.db, ctx.prefix, { LOG_LEVEL: 'error' })),
      serviceDir: join(import.meta.dirname, '..', '..', 'auth')
    }))
    const event = await withTransaction(producer.db, async (client) => await producer.outbox.add(client, {
      type: COMPANY_UPDATED, subject: { type: 'company', id: '1' }, actor: { type: 'system', id: 'auth' }, visibility: 'company', taint: false, data: { version: 2, changed: ['memberGpuSecondsPerDay'] }
    }))
    await vi.waitFor(async () => {
      const { rowCount } = await app.db.query("SELECT 1 FROM consumed_events WHERE group_name = 'gpu-coordinator' AND event_id = $1", [event.id])
      expect(rowCount).toBe(1)
    }, { timeout: 15_000 })
    expect((await post(chat, member)).status).toBe(200)
    expect(auth.calls()).toBe(calls + 1)
  })
})
