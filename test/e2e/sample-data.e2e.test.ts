// A demo start through a whole fleet. Sample data (SPEC §11.6): ROBBIE_SAMPLE_DATA=true makes npm start load it
// once the owner exists; the owner removes it and loads it again through the gateway (the wizard's and Settings'
// buttons); members may not. The fake Ollama node (issue 6): ROBBIE_FAKE_OLLAMA=true starts one, registers it, and
// chat answers through it with no model configured; npm stop stops it.
import { randomUUID } from 'node:crypto'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isAlive, portOpen, readPid, startedDir } from '../../scripts/lib/procs.mjs'
import { startFleet, type RunningFleet } from './fleet-harness.js'

let fleet: RunningFleet
let owner = ''

beforeAll(async () => {
  fleet = await startFleet({ name: 'sample', env: { ROBBIE_SAMPLE_DATA: 'true', ROBBIE_FAKE_OLLAMA: 'true' } })
  owner = (await fleet.login()).accessToken
})
afterAll(async () => { await fleet?.stop() })

const sampleTasks = async () => {
  const res = await fleet.api('GET', '/api/priorities/tasks?limit=100', { token: owner })
  expect(res.status).toBe(200)
  return (res.body.items as { title: string, tags: string[] }[]).filter((t) => t.tags.includes('sample'))
}

describe('sample data in a fleet', () => {
  it('npm start with ROBBIE_SAMPLE_DATA=true loaded every share', async () => {
    expect(fleet.started.output).toMatch(/sample data: priorities \{"tasks":12,"deals":3,"people":3,"loaded":true\}/)
    expect(fleet.started.output).toMatch(/sample data: secrets \{"secrets":1,"loaded":true\}/)
    expect(fleet.started.output).toMatch(/sample data: chat \{/)
    expect((await sampleTasks()).length).toBe(12)
    const secrets = await fleet.api('GET', '/api/secrets/entries?service=sample', { token: owner })
    expect(secrets.body.items.map((s: { name: string }) => s.name)).toEqual(['crm-api-token'])
  })

  it('the owner removes it and loads it again; each call is idempotent', async () => {
    const removed = await fleet.api('DELETE', '/api/auth/sample-data', { token: owner })
    expect(removed.status).toBe(200)
    expect(removed.body.ok).toBe(true)
    expect(removed.body.services.map((s: { service: string, ok: boolean }) => [s.service, s.ok])).toEqual([['priorities', true], ['secrets', true], ['chat', true]])
    expect(await sampleTasks()).toEqual([])
    expect((await fleet.api('GET', '/api/secrets/entries?service=sample', { token: owner })).body.items).toEqual([])

    const loaded = await fleet.api('POST', '/api/auth/sample-data', { token: owner })
    expect(loaded.body.ok).toBe(true)
    const again = await fleet.api('POST', '/api/auth/sample-data', { token: owner })
    expect(again.body.services[0].counts).toEqual({ tasks: 12, deals: 3, people: 3, loaded: true })
    expect((await sampleTasks()).length).toBe(12)
  })

  it('is the owner\'s alone', async () => {
    const password = 'member-password-123'
    const created = await fleet.script('robbie.mjs', 60_000, ['create-user', '--email', 'member@e2e.test', '--role', 'member', '--password', password])
    expect(created.code, created.output).toBe(0)
    const member = (await fleet.login('member@e2e.test', password)).accessToken
    const denied = await fleet.api('DELETE', '/api/auth/sample-data', { token: member })
    expect(denied.status).toBe(403)
    expect((await sampleTasks()).length).toBe(12)
    const noToken = await fleet.api('POST', '/api/auth/sample-data')
    expect(noToken.status).toBe(401)
  })
})

describe('the fake Ollama node on request', () => {
  it('is started, registered and answers chat with no model configured; npm stop stops it', async () => {
    const port = fleet.base + 150
    expect(fleet.started.output).toContain(`fake Ollama node at http://127.0.0.1:${port}`)
    let mesh = await fleet.api('GET', '/api/gpu-coordinator/mesh', { token: owner })
    for (let i = 0; i < 50 && mesh.body.nodes?.[0]?.status !== 'healthy'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 200))
      mesh = await fleet.api('GET', '/api/gpu-coordinator/mesh', { token: owner })
    }
    expect(mesh.body.nodes.map((n: { name: string, status: string }) => [n.name, n.status])).toEqual([['fake-ollama', 'healthy']])

    const sent = await fleet.api('POST', '/api/chat/messages', { token: owner, body: { conversationId: null, content: 'Hello there, Robbie', clientMsgId: randomUUID() } })
    expect(sent.status).toBe(200)
    expect(sent.body.assistantMessage).toMatchObject({ status: 'complete', model: 'llama3.2:3b' })
    expect(sent.body.assistantMessage.content.length).toBeGreaterThan(0)

    const pid = readPid(join(startedDir(fleet.runDir), 'fake-ollama.pid'))
    expect(isAlive(pid)).toBe(true)
    const stopped = await fleet.script('stop.mjs', 60_000)
    expect(stopped.output).toContain('stopped the fake Ollama node')
    expect(isAlive(pid)).toBe(false)
    expect(await portOpen(port)).toBe(false)
  })
})
