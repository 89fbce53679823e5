// Nodes from ROBBIE_GPU_NODES (SPEC §7.1): registered at start, updated by name on the next start, API nodes left
// alone; a bad entry stops the app from being built, naming the entry.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from '@robbie/service-kit'
import { startFakeOllama, testContext, type FakeOllama, type TestAppContext } from '@robbie/testing'
import { createApp } from '../src/app.js'
import { configSchema } from '../src/config.js'
import { addNode, BASE_ENV, buildGpuApp, nodeEvents } from './helper.js'

let fake: FakeOllama
let ctx: TestAppContext
beforeAll(async () => {
  fake = await startFakeOllama({ models: [{ name: 'llama3.2:3b', sizeMb: 2000, loaded: true }] })
  ctx = await testContext('gpu-coordinator', BASE_ENV)
})
afterAll(async () => { await fake.close() })

const rows = async (t: Awaited<ReturnType<typeof buildGpuApp>>) =>
  (await t.app.db.query('SELECT id, name, base_url, max_inflight, source FROM nodes ORDER BY name')).rows as Array<{ id: string, name: string, base_url: string, max_inflight: number, source: string }>

describe('nodes from configuration', () => {
  it('registers them at start and updates them by name on the next start, leaving API nodes alone', async () => {
    const first = await buildGpuApp({ ctx, env: { ROBBIE_GPU_NODES: JSON.stringify([{ name: 'cfg-1', baseUrl: fake.url, maxInflight: 2 }]) } })
    const apiNode = await addNode(first.app, fake, 'api-1')
    const [cfg] = (await rows(first)).filter((r) => r.name === 'cfg-1')
    expect(cfg).toMatchObject({ base_url: fake.url, max_inflight: 2, source: 'config' })
    await expect.poll(() => first.app.mesh.status(first.app.mesh.get(cfg!.id)!)).toBe('healthy')
    expect((await nodeEvents(first.app, 'gpu-coordinator.node.registered.v1', cfg!.id)).map((e) => [e.data, e.actor])).toEqual([[{ nodeId: cfg!.id, name: 'cfg-1' }, { type: 'system', id: 'gpu-coordinator' }]])
    await first.app.close()

    const second = await buildGpuApp({ ctx, env: { ROBBIE_GPU_NODES: JSON.stringify([{ name: 'cfg-1', baseUrl: fake.url, maxInflight: 6 }]) } })
    expect(await rows(second)).toEqual([
      { id: apiNode.id, name: 'api-1', base_url: fake.url, max_inflight: 2, source: 'api' },
      { id: cfg!.id, name: 'cfg-1', base_url: fake.url, max_inflight: 6, source: 'config' }
    ])
    expect(second.app.mesh.get(cfg!.id)).toMatchObject({ maxInflight: 6 })
    expect(await nodeEvents(second.app, 'gpu-coordinator.node.registered.v1', cfg!.id)).toHaveLength(1)
    const audit = await second.app.db.query('SELECT action, actor_type FROM audit_events WHERE resource_id = $1 ORDER BY seq', [cfg!.id])
    expect(audit.rows).toEqual([{ action: 'gpu-coordinator.node.register', actor_type: 'system' }, { action: 'gpu-coordinator.node.update', actor_type: 'system' }])
  })

  it('refuses to build with a bad entry, naming it', async () => {
    const env = { ...ctx.env, ROBBIE_GPU_NODES: JSON.stringify([{ name: 'fine', baseUrl: fake.url }, { name: 'metadata', baseUrl: 'http://169.254.169.254' }]) }
    const err = await createApp(loadConfig(configSchema, env)).then(() => null, (e: unknown) => e)
    expect(err).toBeInstanceOf(ConfigError)
    expect((err as ConfigError).message).toMatch(/ROBBIE_GPU_NODES\[1\] \(metadata\): baseUrl not allowed/)
  })
})
