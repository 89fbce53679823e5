// The approvals inbox and the notes screen in Chromium. Pending actions come from the model: the fake node answers
// "propose a task: <title>" with a task_create call that Robbie may not run alone, so it waits for approval.
import { describe, expect, test } from 'vitest'
import type { RespondRequest } from '@robbie/testing'
import { screenshot } from './browser.js'
import { webFleet } from './fixtures.js'

function respond (req: RespondRequest) {
  const last = req.messages?.[req.messages.length - 1]
  if (last?.role === 'tool') return 'It waits for your approval.'
  const title = /propose a task: (.+)$/.exec(last?.content ?? '')?.[1]
  if (title) return { content: '', tool_calls: [{ function: { name: 'task_create', arguments: { title, confidence: 0.3 } } }] }
  return 'OK.'
}

const web = webFleet({ name: 'webapprove', env: { ROBBIE_SAMPLE_DATA: 'true' }, nodes: [{ fake: { respond } }] })

async function propose (title: string): Promise<void> {
  const res = await web.fleet.api('POST', '/api/chat/messages', { token: web.token, body: { conversationId: null, content: `Please propose a task: ${title}`, clientMsgId: crypto.randomUUID() } })
  expect([200, 202]).toContain(res.status)
}

const tasksNamed = async (title: string) =>
  ((await web.fleet.api('GET', `/api/priorities/tasks?q=${encodeURIComponent(title)}`, { token: web.token })).body.items as Array<{ title: string }>).filter((x) => x.title === title)

describe('approvals', () => {
  test('approve one proposed action (with an edit) and reject another; both land in the history', async () => {
    await propose('Book the offsite venue')
    await propose('Order new office chairs')
    const t = await web.owner()
    const { page } = t
    await page.goto('/approvals')
    const venue = page.getByRole('article').filter({ hasText: 'Book the offsite venue' })
    const chairs = page.getByRole('article').filter({ hasText: 'Order new office chairs' })
    await venue.waitFor({ timeout: 30_000 })
    await chairs.waitFor()
    await page.evaluate(() => { (document.activeElement as HTMLElement | null)?.blur() })
    await screenshot(page, 'approvals')

    // while edited the title is in a field, not text: hold on to the card by its id
    const card = page.locator(`#${await venue.getAttribute('id')}`)
    await card.getByRole('button', { name: 'Edit' }).click()
    await card.getByLabel('Title').fill('Book the offsite venue in Lisbon')
    await card.getByRole('button', { name: 'Approve with changes' }).click()
    await page.getByText('Approved', { exact: true }).waitFor()
    await expect(card.count()).resolves.toBe(0)
    expect(await tasksNamed('Book the offsite venue in Lisbon')).toHaveLength(1)

    await chairs.getByRole('button', { name: 'Reject' }).click()
    const dialog = page.getByRole('dialog', { name: 'Reject this action?' })
    await dialog.getByLabel('Reason (optional)').fill('Not this quarter')
    await dialog.getByRole('button', { name: 'Reject' }).click()
    await page.getByText('Rejected', { exact: true }).first().waitFor()
    expect(await tasksNamed('Order new office chairs')).toHaveLength(0)

    const history = page.getByRole('table')
    await history.getByRole('row', { name: /Book the offsite venue in Lisbon/ }).waitFor()
    await history.getByRole('row', { name: /Order new office chairs.*rejected/ }).waitFor()
    const actions = await web.fleet.api('GET', '/api/chat/actions?limit=50', { token: web.token })
    expect((actions.body.items as Array<{ status: string }>).filter((a) => a.status === 'proposed')).toHaveLength(0)
    t.expectClean()
    await t.close()
  })
})

describe('notes', () => {
  test('a note is created with safe Markdown, counted in its category, and locked against deletion', async () => {
    const t = await web.owner()
    const { page } = t
    await page.goto('/notes')
    const ideas = await web.fleet.api('GET', '/api/chat/notes?category=ideas&limit=200', { token: web.token })
    const before = (ideas.body.items as unknown[]).length
    await page.getByRole('button', { name: /^Ideas/ }).locator('span').getByText(String(before), { exact: true }).waitFor()
    await page.getByRole('button', { name: 'New note' }).click()
    const dialog = page.getByRole('dialog', { name: 'New note' })
    await dialog.getByLabel('Title').fill('E2E idea: a quarterly offsite')
    await dialog.getByLabel('Category').selectOption('ideas')
    await dialog.getByLabel('Content').fill('Plan it **early**.\n\n- venue\n- agenda\n\n<script>alert(1)</script>')
    await dialog.getByRole('button', { name: 'Create note' }).click()
    const card = page.getByRole('article', { name: 'E2E idea: a quarterly offsite' })
    await card.waitFor()
    await expect(card.locator('strong').textContent()).resolves.toBe('early')
    await expect(card.getByText('<script>alert(1)</script>').count()).resolves.toBe(1) // shown as text, never run
    await expect(page.getByRole('button', { name: /^Ideas/ }).locator('span').textContent()).resolves.toBe(String(before + 1))
    await page.evaluate(() => { (document.activeElement as HTMLElement | null)?.blur() })
    await screenshot(page, 'notes')

    await card.getByRole('button', { name: 'E2E idea: a quarterly offsite' }).click()
    const editor = page.getByRole('dialog', { name: 'Edit note' })
    await editor.getByLabel('Locked').check()
    await editor.getByRole('button', { name: 'Save note' }).click()
    await card.getByText('locked').waitFor()
    await card.getByRole('button', { name: 'E2E idea: a quarterly offsite' }).click()
    await expect(page.getByRole('dialog', { name: 'Edit note' }).getByRole('button', { name: 'Delete' }).isDisabled()).resolves.toBe(true)
    t.expectClean()
    await t.close()
  })
})
