// The GPU mesh screen in Chromium: the configured fake node with its status and models, a second node tested and
// added through the form, drained and removed, the load chart and the routing decision of a chat reply; a member
// sees the totals and models only.
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { Browser } from 'playwright-core'
import { startFakeOllama } from '@robbie/testing'
import { startFleet, type RunningFleet } from '../../test/e2e/fleet-harness.js'
import { createUser, launchBrowser, markOnboarded, newPage, screenshot, signIn } from './browser.js'

const MODEL = 'llama3.2:3b'
let fleet: RunningFleet
let browser: Browser
let first: Awaited<ReturnType<typeof startFakeOllama>>
let second: Awaited<ReturnType<typeof startFakeOllama>>
let token = ''

beforeAll(async () => {
  first = await startFakeOllama({ models: [{ name: MODEL, sizeMb: 2000, loaded: true }] })
  second = await startFakeOllama({ models: [{ name: 'qwen2.5:7b', sizeMb: 4700 }], version: '0.12.7' })
  fleet = await startFleet({
    name: 'webmesh',
    env: {
      ROBBIE_GPU_NODES: JSON.stringify([{ name: 'fake-gpu', baseUrl: first.url, maxInflight: 2, gpu: { count: 1, type: 'RTX 4090', memoryMb: 24576 } }]),
      ROBBIE_GPU_ALLOW_LOOPBACK: 'true',
      ROBBIE_GPU_DEFAULT_MODEL: MODEL,
      ROBBIE_GPU_FAST_MODEL: MODEL,
      ROBBIE_GPU_PS_INTERVAL_MS: '500',
      ROBBIE_GPU_SAMPLE_INTERVAL_MS: '1000'
    }
  })
  await markOnboarded(fleet)
  token = (await fleet.login()).accessToken
  browser = await launchBrowser()
})
afterAll(async () => {
  await browser?.close()
  await fleet?.stop()
  await first?.close()
  await second?.close()
})

describe('GPU mesh', () => {
  test('nodes, add with Test first, drain and remove, the load chart and a routing decision', async () => {
    const reply = await fleet.api('POST', '/api/chat/messages', { token, body: { conversationId: null, content: 'Hello there', clientMsgId: crypto.randomUUID() } })
    expect(reply.status).toBe(200)
    const routeRequestId = reply.body.assistantMessage.routeRequestId as string | undefined

    const t = await newPage(browser, { baseURL: fleet.url })
    const { page } = t
    await signIn(page, fleet.ownerEmail, fleet.ownerPassword)
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
    const listed = await fleet.api('GET', '/api/gpu-coordinator/nodes', { token })
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
    const member = await createUser(fleet, 'member')
    const t = await newPage(browser, { baseURL: fleet.url })
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
