// The node registry (SPEC §7.1) against fake Ollama nodes: add after the node answers, test without storing,
// patch, drain and delete, URL refusals, heartbeats bound to their node, agent keys through auth, audit rows and
// events.
import type { LightMyRequestResponse } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { uuidv7 } from '@robbie/contracts'
import { closedPort, startFakeOllama, type FakeOllama } from '@robbie/testing'
import { addNode, as, auditRows, buildGpuApp, codeOf, nodeAgentKey, nodeEvents, type GpuTestApp, type NodeJson } from './helper.js'
import { startFakeAuth } from './fakes/auth.js'

const API = '/api/gpu-coordinator'
let t: GpuTestApp
let fake: FakeOllama
let auth: Awaited<ReturnType<typeof startFakeAuth>>

beforeAll(async () => {
  fake = await startFakeOllama({ models: [{ name: 'llama3.2:3b', sizeMb: 2000, loaded: true }, { name: 'qwen2.5:7b', sizeMb: 4700 }] })
  auth = await startFakeAuth()
  t = await buildGpuApp({ env: { ROBBIE_AUTH_URL: auth.url, ROBBIE_GPU_DRAIN_TIMEOUT_MS: '2000' } })
})
afterAll(async () => { await fake.close(); await auth.close() })

describe('adding and testing nodes', () => {
  it('registers a node after /api/version and /api/tags answer, with its models, an audit row and an event', async () => {
    const admin = await as('admin')
    const res = await t.app.inject({ method: 'POST', url: `${API}/nodes`, headers: admin, payload: { name: 'gpu-a', baseUrl: `${fake.url}/`, labels: { zone: 'lab' }, maxInflight: 3, gpu: { count: 1, type: 'RTX 4090', memoryMb: 24_000 } } })
    expect(res.statusCode).toBe(201)
    const node = res.json<NodeJson & Record<string, unknown>>()
    expect(node).toMatchObject({ name: 'gpu-a', baseUrl: fake.url, labels: { zone: 'lab' }, maxInflight: 3, status: 'healthy', breaker: 'closed', source: 'api', agentKey: false })
    expect(node.models.map((m) => m.name).sort()).toEqual(['llama3.2:3b', 'qwen2.5:7b'])
    expect(node.agent).toBeUndefined()
    expect(fake.received.filter((r) => r.path === '/api/version' || r.path === '/api/tags').length).toBeGreaterThanOrEqual(2)

    const got = await t.app.inject({ method: 'GET', url: `${API}/nodes/${node.id}`, headers: admin })
    expect(got.json()).toMatchObject({ id: node.id, name: 'gpu-a' })
    expect((await nodeEvents(t.app, 'gpu-coordinator.node.registered.v1', node.id)).map((e) => e.data)).toEqual([{ nodeId: node.id, name: 'gpu-a' }])
    expect((await auditRows(t.app, node.id))[0]).toMatchObject({ action: 'gpu-coordinator.node.register', actor_type: 'user', details: { name: 'gpu-a', agentKey: false } })
  })

  it('refuses a name that is taken (409), an unreachable node (422) and a refused URL (400), storing nothing', async () => {
    const admin = await as('owner')
    await addNode(t.app, fake, 'gpu-taken')
    expect(codeOf(await t.app.inject({ method: 'POST', url: `${API}/nodes`, headers: admin, payload: { name: 'gpu-taken', baseUrl: fake.url } })))
      .toEqual([409, 'GPU_COORDINATOR_CONFLICT'])
    const dead = `http://127.0.0.1:${await closedPort()}`
    expect(codeOf(await t.app.inject({ method: 'POST', url: `${API}/nodes`, headers: admin, payload: { name: 'gpu-dead', baseUrl: dead } })))
      .toEqual([422, 'GPU_COORDINATOR_NODE_UNREACHABLE'])
    for (const baseUrl of ['http://169.254.169.254/', 'http://[fe80::1]:11434', 'ftp://10.0.0.1', 'http://user:pw@10.0.0.1:11434', 'http://metadata.google.internal', 'http://224.0.0.1']) {
      const res = await t.app.inject({ method: 'POST', url: `${API}/nodes`, headers: admin, payload: { name: 'gpu-bad', baseUrl } })
      expect([baseUrl, ...codeOf(res)]).toEqual([baseUrl, 400, 'GPU_COORDINATOR_URL_NOT_ALLOWED'])
    }
    const { rows } = await t.app.db.query("SELECT name FROM nodes WHERE name IN ('gpu-dead', 'gpu-bad')")
    expect(rows).toEqual([])
  })

  it('answers a node that is not Ollama (a 500, a redirect) with 422', async () => {
    const admin = await as('admin')
    fake.failNext({ kind: 'status', status: 500, paths: ['/api/version'] })
    expect(codeOf(await t.app.inject({ method: 'POST', url: `${API}/nodes/test`, headers: admin, payload: { baseUrl: fake.url } })))
      .toEqual([422, 'GPU_COORDINATOR_NODE_UNREACHABLE'])
  })

  it('tests a URL without storing anything', async () => {
    const res = await t.app.inject({ method: 'POST', url: `${API}/nodes/test`, headers: await as('admin'), payload: { baseUrl: fake.url } })
    expect(res.statusCode).toBe(200)
    expect(res.json()).toEqual({ ok: true, version: '0.12.6', models: [{ name: 'llama3.2:3b', sizeMb: 2000 }, { name: 'qwen2.5:7b', sizeMb: 4700 }], latencyMs: expect.any(Number) })
    expect(codeOf(await t.app.inject({ method: 'POST', url: `${API}/nodes/test`, headers: await as('admin'), payload: { baseUrl: 'http://169.254.169.254' } })))
      .toEqual([400, 'GPU_COORDINATOR_URL_NOT_ALLOWED'])
  })

  it('is for owner and admin only', async () => {
    const member = await as('member')
    expect(codeOf(await t.app.inject({ method: 'GET', url: `${API}/nodes`, headers: member }))).toEqual([403, 'GPU_COORDINATOR_FORBIDDEN'])
    expect(codeOf(await t.app.inject({ method: 'POST', url: `${API}/nodes`, headers: member, payload: { name: 'x', baseUrl: fake.url } }))).toEqual([403, 'GPU_COORDINATOR_FORBIDDEN'])
    expect(codeOf(await t.app.inject({ method: 'GET', url: `${API}/nodes` }))).toEqual([401, 'GPU_COORDINATOR_UNAUTHENTICATED'])
  })
})

describe('changing and removing nodes', () => {
  it('lists nodes by name in pages', async () => {
    await addNode(t.app, fake, 'page-1')
    await addNode(t.app, fake, 'page-2')
    const admin = await as('admin')
    const names: string[] = []
    let cursor: string | null = null
    do {
      const res: LightMyRequestResponse = await t.app.inject({ method: 'GET', url: `${API}/nodes?limit=2${cursor ? `&cursor=${cursor}` : ''}`, headers: admin })
      const page: { items: NodeJson[], nextCursor: string | null } = res.json()
      names.push(...page.items.map((n) => n.name))
      cursor = page.nextCursor
    } while (cursor)
    expect(names).toEqual([...names].sort())
    expect(names).toEqual(expect.arrayContaining(['page-1', 'page-2']))
    expect(codeOf(await t.app.inject({ method: 'GET', url: `${API}/nodes?cursor=${Buffer.from('../x').toString('base64url')}`, headers: admin })))
      .toEqual([400, 'GPU_COORDINATOR_VALIDATION_FAILED'])
  })

  it('patches labels, max in flight, enabled and draining, with the status following', async () => {
    const node = await addNode(t.app, fake, 'gpu-patch')
    const admin = await as('admin')
    const patch = async (payload: object) => await t.app.inject({ method: 'PATCH', url: `${API}/nodes/${node.id}`, headers: admin, payload })
    expect((await patch({ labels: { tier: 'fast' }, maxInflight: 8 })).json()).toMatchObject({ labels: { tier: 'fast' }, maxInflight: 8, status: 'healthy' })
    expect((await patch({ enabled: false })).json()).toMatchObject({ enabled: false, status: 'disabled' })
    expect((await patch({ enabled: true, draining: true })).json()).toMatchObject({ enabled: true, draining: true, status: 'draining' })
    expect(codeOf(await patch({}))).toEqual([400, 'GPU_COORDINATOR_VALIDATION_FAILED'])
    expect(codeOf(await patch({ maxInflight: 33 }))).toEqual([400, 'GPU_COORDINATOR_VALIDATION_FAILED'])
    const { rows } = await t.app.db.query('SELECT status, labels, max_inflight FROM nodes WHERE id = $1', [node.id])
    expect(rows[0]).toEqual({ status: 'draining', labels: { tier: 'fast' }, max_inflight: 8 })
    const statuses = (await nodeEvents(t.app, 'gpu-coordinator.node.status-changed.v1', node.id)).map((e) => [e.data.from, e.data.to])
    expect(statuses).toEqual([['healthy', 'disabled'], ['disabled', 'draining']])
    expect((await auditRows(t.app, node.id)).map((r) => r.action)).toEqual(['gpu-coordinator.node.register', 'gpu-coordinator.node.update', 'gpu-coordinator.node.update', 'gpu-coordinator.node.update'])
  })

  it('drains a node before removing it: no new calls, the call in flight finishes first', async () => {
    const node = await addNode(t.app, fake, 'gpu-drain')
    const lease = await t.app.mesh.acquire({ model: 'llama3.2:3b', identity: { kind: 'user', id: uuidv7(), role: 'owner', scopes: [] }, priority: 'interactive', requestId: uuidv7(), signal: new AbortController().signal, requireLabels: {}, exclude: t.app.mesh.list().filter((n) => n.id !== node.id).map((n) => n.id) })
    expect(lease.nodeName).toBe('gpu-drain')
    const removing = t.app.inject({ method: 'DELETE', url: `${API}/nodes/${node.id}`, headers: await as('admin') })
    await expect.poll(() => t.app.mesh.get(node.id)?.draining).toBe(true)
    expect(t.app.mesh.candidates({ model: 'llama3.2:3b', identity: { kind: 'user', id: 'x', scopes: [] }, priority: 'batch', requestId: 'r', signal: new AbortController().signal })
      .find((c) => c.node === 'gpu-drain')).toMatchObject({ eligible: false, reason: 'draining' })
    lease.succeeded({ ttftMs: 5, tokensOut: 3, durationMs: 20 })
    expect((await removing).statusCode).toBe(204)
    expect(t.app.mesh.get(node.id)).toBeUndefined()
    expect(codeOf(await t.app.inject({ method: 'GET', url: `${API}/nodes/${node.id}`, headers: await as('admin') }))).toEqual([404, 'GPU_COORDINATOR_NOT_FOUND'])
    expect((await nodeEvents(t.app, 'gpu-coordinator.node.removed.v1', node.id)).map((e) => e.data)).toEqual([{ nodeId: node.id }])
    expect((await auditRows(t.app, node.id)).at(-1)).toMatchObject({ action: 'gpu-coordinator.node.remove', details: { drained: true } })
  })
})

describe('node agents', () => {
  it('mints an agent key through auth on registration, shows it once, and revokes it on removal', async () => {
    auth.calls.length = 0
    const node = await addNode(t.app, fake, 'gpu-agent', { agentKey: true })
    expect(node.agent).toEqual({ keyId: expect.any(String), key: expect.stringMatching(/^robbie_svc_/) })
    expect(auth.calls).toEqual([{ method: 'POST', path: '/internal/auth/node-keys', authorization: expect.stringMatching(/^Bearer robbie_svc_/), body: { nodeName: 'gpu-agent' } }])
    const got = await t.app.inject({ method: 'GET', url: `${API}/nodes/${node.id}`, headers: await as('admin') })
    expect(got.json()).toMatchObject({ agentKey: true })
    expect(got.body).not.toContain(node.agent!.key)
    const audit = await auditRows(t.app, node.id)
    expect(JSON.stringify(audit)).not.toContain(node.agent!.key)
    expect(audit[0]!.details).toMatchObject({ agentKey: true, keyRef: expect.any(String) })

    expect((await t.app.inject({ method: 'DELETE', url: `${API}/nodes/${node.id}`, headers: await as('admin') })).statusCode).toBe(204)
    expect(auth.calls.at(-1)).toMatchObject({ method: 'DELETE', path: '/internal/auth/node-keys/gpu-agent' })
  })

  it('registers nothing when auth cannot mint the key', async () => {
    auth.fail(true)
    try {
      const res = await t.app.inject({ method: 'POST', url: `${API}/nodes`, headers: await as('admin'), payload: { name: 'gpu-nokey', baseUrl: fake.url, agentKey: true } })
      expect(codeOf(res)).toEqual([503, 'GPU_COORDINATOR_UNAVAILABLE'])
      expect((await t.app.db.query("SELECT 1 FROM nodes WHERE name = 'gpu-nokey'")).rowCount).toBe(0)
    } finally { auth.fail(false) }
  })

  it('takes heartbeats from the node\'s own agent only (403 for another node\'s key or a user)', async () => {
    const node = await addNode(t.app, fake, 'gpu-hb')
    const url = `${API}/nodes/${node.id}/heartbeat`
    expect(codeOf(await t.app.inject({ method: 'POST', url, headers: nodeAgentKey(t, 'gpu-other'), payload: { busy: true } }))).toEqual([403, 'GPU_COORDINATOR_FORBIDDEN'])
    expect(codeOf(await t.app.inject({ method: 'POST', url, headers: await as('owner'), payload: { busy: true } }))).toEqual([403, 'GPU_COORDINATOR_FORBIDDEN'])
    expect(t.app.mesh.get(node.id)!.busy).toBe(false)

    const own = nodeAgentKey(t, 'gpu-hb')
    expect((await t.app.inject({ method: 'POST', url, headers: own, payload: { busy: true, memoryUsedMb: 9000, utilizationPct: 97, temperatureC: 71 } })).statusCode).toBe(204)
    const busy = await t.app.inject({ method: 'GET', url: `${API}/nodes/${node.id}`, headers: await as('admin') })
    expect(busy.json()).toMatchObject({ busy: true, status: 'busy', memoryUsedMb: 9000 })
    expect((await t.app.inject({ method: 'POST', url, headers: own, payload: { busy: false } })).statusCode).toBe(204)
    expect(t.app.mesh.status(t.app.mesh.get(node.id)!)).toBe('healthy')
    expect(codeOf(await t.app.inject({ method: 'POST', url, headers: own, payload: { busy: 'yes' } }))).toEqual([400, 'GPU_COORDINATOR_VALIDATION_FAILED'])
  })
})

describe('models on a node', () => {
  it('pulls and warms a model on the node in the background', async () => {
    const node = await addNode(t.app, fake, 'gpu-models')
    const admin = await as('admin')
    const pull = await t.app.inject({ method: 'POST', url: `${API}/nodes/${node.id}/models/pull`, headers: admin, payload: { model: 'phi3:mini' } })
    expect([pull.statusCode, pull.json()]).toEqual([202, { nodeId: node.id, model: 'phi3:mini', status: 'started' }])
    await expect.poll(() => fake.received.some((r) => r.path === '/api/pull' && (r.body as { model?: string }).model === 'phi3:mini')).toBe(true)
    const warm = await t.app.inject({ method: 'POST', url: `${API}/nodes/${node.id}/models/warm`, headers: admin, payload: { model: 'qwen2.5:7b' } })
    expect(warm.statusCode).toBe(202)
    await expect.poll(() => t.app.mesh.get(node.id)?.models.get('qwen2.5:7b')?.loaded).toBe(true)
    expect(codeOf(await t.app.inject({ method: 'POST', url: `${API}/nodes/${uuidv7()}/models/warm`, headers: admin, payload: { model: 'x' } }))).toEqual([404, 'GPU_COORDINATOR_NOT_FOUND'])
  })
})
