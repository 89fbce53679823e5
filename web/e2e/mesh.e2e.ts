// The GPU mesh screen in Chromium: the configured fake node with its status and models, a second node tested and
// added through the form, drained and removed, the load chart and the routing decision of a chat reply; a member
// sees the totals and models only.
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { startFakeOllama } from '@robbie/testing'
import { createUser, newPage, screenshot, signIn } from './browser.js'
import { MODEL, webFleet, type FakeNode } from './fixtures.js'

// not configured: the test adds it through the form
let second: FakeNode
beforeAll(async () => { second = await startFakeOllama({ models: [{ name: 'qwen2.5:7b', sizeMb: 4700 }], version: '0.12.7' }) })
afterAll(async () => { await second?.close() })

const web = webFleet({
  name: 'webmesh',
  env: { ROBBIE_GPU_SAMPLE_INTERVAL_MS: '1000' },
  nodes: [{ node: { maxInflight: 2, gpu: { count: 1, type: 'RTX 4090', memoryMb: 24576 } } }]
})

describe('GPU mesh', () => {
  test('nodes, add with Test first, drain and remove, the load chart and a routing decision', async () => {
    const reply = await web.fleet.api('POST', '/api/chat/messages', { token: web.token, body: { conversationId: null, content: 'Hello there', clientMsgId: crypto.randomUUID() } })
    expect(reply.status).toBe(200)
    const routeRequestId = reply.body.assistantMessage.routeRequestId as string | undefined

    const t = await web.owner()
    const { page } = t
    await page.goto('/mesh')
    const nodes = page.getByRole('region', { name: 'Nodes' })
    await nodes.getByRole('row', { name: /fake-gpu.*healthy/ }).waitFor({ timeout: 30_000 })
    await page.getByRole('region', { name: 'Models' }).getByRole('row', { name: new RegExp(MODEL.replace('.', '\\.')) }).getByText('loaded').waitFor()
    await page.getByRole('img', { name: /Requests in flight per node/ }).waitFor({ timeout: 30_000 })
    await page.getByRole('region', { name: 'Routing decisions' }).getByRole('cell', { name: 'fake-gpu' }).first().waitFor()

    const form = page.getByRole('form', { name: 'Add an Ollama node' })
    await form.getByLabel('Name').fill('second-gpu')
    await form.getByLabel('Address').fill(second.url)
    await expect(form.getByRole('button', { name: 'Add node' }).isDisabled()).resolves.toBe(true)
    await form.getByRole('button', { name: 'Test' }).click()
    await form.getByText(/Ollama 0\.12\.7 answered in \d+ ms with 1 model: qwen2\.5:7b/).waitFor()
    await page.evaluate(() => { (document.activeElement as HTMLElement | null)?.blur() })
    await screenshot(page, 'mesh')
    await form.getByRole('button', { name: 'Add node' }).click()
    const row = nodes.getByRole('row', { name: /second-gpu/ })
    await row.waitFor()

    await row.getByRole('button', { name: 'Drain' }).click()
    await nodes.getByRole('row', { name: /second-gpu.*draining/ }).waitFor()
    const listed = await web.fleet.api('GET', '/api/gpu-coordinator/nodes', { token: web.token })
    expect((listed.body.items as Array<{ name: string, draining: boolean }>).find((n) => n.name === 'second-gpu')?.draining).toBe(true)

    await row.getByRole('button', { name: 'Remove' }).click()
    await page.getByRole('dialog', { name: 'Remove second-gpu?' }).getByRole('button', { name: 'Remove' }).click()
    await expect(nodes.getByRole('row', { name: /second-gpu/ }).waitFor({ state: 'detached', timeout: 90_000 })).resolves.toBeUndefined()

    // a chat reply's "routing decision" link opens that decision with its candidates
    expect(routeRequestId).toBeTruthy()
    await page.goto(`/mesh?requestId=${encodeURIComponent(routeRequestId!)}`)
    const decisions = page.getByRole('region', { name: 'Routing decisions' })
    await decisions.getByText(`Request ${routeRequestId!} ·`).waitFor()
    await decisions.getByRole('listitem').filter({ hasText: /fake-gpu score \d+/ }).waitFor()
    t.expectClean()
    await t.close()
  })

  test('a member sees the totals and the models, not the nodes', async () => {
    const member = await createUser(web.fleet, 'member')
    const t = await newPage(web.browser, { baseURL: web.fleet.url })
    const { page } = t
    await signIn(page, member.email, member.password)
    await page.goto('/mesh')
    await page.getByRole('region', { name: 'Models' }).getByText(MODEL).waitFor()
    await expect(page.getByRole('region', { name: 'Nodes' }).count()).resolves.toBe(0)
    await expect(page.getByRole('form', { name: 'Add an Ollama node' }).count()).resolves.toBe(0)
    t.expectClean()
    await t.close()
  })
})
