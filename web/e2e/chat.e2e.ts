// The chat screen in Chromium against a fleet of its own whose only GPU node is a fake Ollama node: a streamed
// answer rendered from Markdown with Stop while it streams, the command list, a tool call waiting for approval
// with its inline Approve, and messages typed while the socket is down sent exactly once after it comes back.
import { describe, expect, test } from 'vitest'
import type { WebSocketRoute } from 'playwright-core'
import type { RespondRequest } from '@robbie/testing'
import { screenshot } from './browser.js'
import { MODEL, webFleet } from './fixtures.js'

function respond (req: RespondRequest) {
  const messages = req.messages ?? []
  const last = messages[messages.length - 1]
  if (last?.role === 'tool') return 'I have put that forward for your approval.'
  const text = last?.content ?? ''
  if (text.includes('propose a task')) {
    return { content: '', tool_calls: [{ function: { name: 'task_create', arguments: { title: 'Prepare the board deck', priority: 'high', confidence: 0.4 } } }] }
  }
  if (text.includes('offline')) return `Noted: ${text.slice(0, 60)}`
  return 'Here is the plan, **in three steps**:\n\n- read the *numbers*\n- write the summary\n- send it to `board@example.com`\n\nThat is all for today, nothing else is needed right now.'
}

const web = webFleet({
  name: 'webchat',
  env: { ROBBIE_GPU_PROBE_INTERVAL_MS: '2000' },
  nodes: [{ fake: { tokensPerSecond: 12, respond }, node: { maxInflight: 4 } }]
})

describe('chat', () => {
  test('a streamed answer from the node, with Stop while it streams, rendered from Markdown', async () => {
    const t = await web.owner()
    const { page } = t
    await page.goto('/chat')
    await page.getByRole('status').filter({ hasText: 'Online' }).waitFor()
    const box = page.getByLabel('Message Robbie')
    await box.fill('What should I do about the board meeting?')
    await box.press('Enter')

    const reply = page.locator('li.msg-assistant').last()
    // Stop replaces Send while the reply streams
    await page.getByRole('button', { name: 'Stop' }).waitFor()
    await reply.getByText('That is all for today').waitFor({ timeout: 60_000 })
    await page.getByRole('button', { name: 'Send' }).waitFor()
    await expect(reply.locator('strong').textContent()).resolves.toBe('in three steps')
    await expect(reply.locator('ul li').count()).resolves.toBe(3)
    await expect(reply.locator('code').textContent()).resolves.toBe('board@example.com')
    // owners see the node and model of each reply
    await reply.locator('.msg-meta').filter({ hasText: 'fake-gpu' }).waitFor()
    expect(await reply.locator('.msg-meta').textContent()).toContain(MODEL)
    expect(web.fake.received.some((r) => r.path === '/api/chat')).toBe(true)
    expect(page.url()).toMatch(/\/chat\/[0-9a-f-]{36}$/)
    await page.evaluate(() => { (document.activeElement as HTMLElement | null)?.blur() })
    await screenshot(page, 'chat')
    t.expectClean()
    await t.close()
  })

  test('Stop ends a reply early and keeps what was written', async () => {
    const t = await web.owner()
    const { page } = t
    web.fake.set({ tokensPerSecond: 2 })
    try {
      await page.goto('/chat')
      await page.getByRole('status').filter({ hasText: 'Online' }).waitFor()
      await page.getByLabel('Message Robbie').fill('Tell me the plan slowly')
      await page.getByLabel('Message Robbie').press('Enter')
      const reply = page.locator('li.msg-assistant').last()
      await reply.getByText('Here').waitFor({ timeout: 30_000 })
      await page.getByRole('button', { name: 'Stop' }).click()
      await reply.getByText('stopped').waitFor()
      await page.getByRole('button', { name: 'Send' }).waitFor()
      expect(await reply.locator('.msg-body').textContent()).not.toContain('That is all for today')
    } finally {
      web.fake.set({ tokensPerSecond: 12 })
    }
    t.expectClean()
    await t.close()
  })

  test('/ opens the command list; arrows and Enter complete a command', async () => {
    const t = await web.owner()
    const { page } = t
    await page.goto('/chat')
    const box = page.getByLabel('Message Robbie')
    await box.fill('/')
    const list = page.getByRole('listbox', { name: 'Commands' })
    await list.waitFor()
    const options = await list.getByRole('option').count()
    expect(options).toBeGreaterThan(3)
    await box.fill('/pri')
    await expect(list.getByRole('option').first().textContent()).resolves.toMatch(/priorities/)
    await box.press('Enter')
    expect(await box.inputValue()).toBe('/priorities ')
    await expect(list.count()).resolves.toBe(0)
    t.expectClean()
    await t.close()
  })

  test('a tool call that needs approval shows a card with Approve; approving runs it', async () => {
    const t = await web.owner()
    const { page } = t
    await page.goto('/chat')
    await page.getByLabel('Message Robbie').fill('Please propose a task for the board deck')
    await page.getByLabel('Message Robbie').press('Enter')
    const card = page.getByRole('group', { name: 'Tool: Create a task' })
    await card.getByText('Needs approval').waitFor({ timeout: 60_000 })
    await page.evaluate(() => { (document.activeElement as HTMLElement | null)?.blur() })
    await screenshot(page, 'chat-approval')
    await card.getByRole('button', { name: 'Approve' }).click()
    await page.getByText('Approved', { exact: true }).first().waitFor()
    const { accessToken } = await web.fleet.login()
    const tasks = await web.fleet.api('GET', '/api/priorities/tasks?q=board%20deck', { token: accessToken })
    expect(tasks.body.items.map((x: { title: string }) => x.title)).toContain('Prepare the board deck')
    t.expectClean()
    await t.close()
  })

  test('messages typed while the socket is down are queued and sent once, in order, after it is back', async () => {
    const t = await web.owner()
    const { page } = t
    let down = false
    const open: WebSocketRoute[] = []
    await page.routeWebSocket(/\/ws$/, (ws) => {
      if (down) { void ws.close({ code: 4000, reason: 'test: network down' }); return }
      ws.connectToServer()
      open.push(ws)
    })
    await page.goto('/chat')
    await page.getByRole('status').filter({ hasText: 'Online' }).waitFor()
    await page.getByLabel('Message Robbie').fill('First, before going offline')
    await page.getByLabel('Message Robbie').press('Enter')
    await page.locator('li.msg-assistant').last().getByText('Noted: First').waitFor({ timeout: 60_000 })
    const conversation = page.url().split('/').pop()!

    down = true
    for (const ws of open.splice(0)) await ws.close({ code: 4000, reason: 'test: network down' })
    await page.getByRole('status').filter({ hasText: /Reconnecting|Offline/ }).waitFor()
    for (const text of ['offline one', 'offline two']) {
      await page.getByLabel('Message Robbie').fill(text)
      await page.getByLabel('Message Robbie').press('Enter')
    }
    await page.getByRole('status').filter({ hasText: '2 queued' }).waitFor()
    await expect(page.locator('li.msg-user').filter({ hasText: 'queued' }).count()).resolves.toBe(2)
    await page.evaluate(() => { (document.activeElement as HTMLElement | null)?.blur() })
    await screenshot(page, 'chat-offline')

    down = false
    await page.getByRole('status').filter({ hasText: 'Online' }).waitFor({ timeout: 60_000 })
    await page.locator('li.msg-assistant').getByText('Noted: offline two').waitFor({ timeout: 60_000 })
    const { accessToken } = await web.fleet.login()
    const messages = await web.fleet.api('GET', `/api/chat/conversations/${conversation}/messages?limit=50`, { token: accessToken })
    const users = (messages.body.items as Array<{ role: string, content: string }>).filter((m) => m.role === 'user').map((m) => m.content)
    expect(users).toEqual(['First, before going offline', 'offline one', 'offline two'])
    t.expectClean()
    await t.close()
  })
})
