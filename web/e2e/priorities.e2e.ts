// The priorities screen in Chromium against a fleet with sample data: a task made in the editor, dragged to another
// quadrant (the API then shows the override), moved again with the keyboard menu, its breakdown and the override
// reset in the drawer, Done from the surfaced list, and a change made elsewhere arriving live.
import { describe, expect, test } from 'vitest'
import { PHONE, screenshot } from './browser.js'
import { webFleet } from './fixtures.js'

const web = webFleet({ name: 'webprio', env: { ROBBIE_SAMPLE_DATA: 'true' } })

const item = async (id: string) => (await web.fleet.api('GET', `/api/priorities/items/${id}`, { token: web.token })).body as {
  quadrant: string, importanceOverride: number | null, urgencyOverride: number | null
}

describe('priorities', () => {
  test('a task created in the editor, dragged to Do now, moved by keyboard, reset in the drawer', async () => {
    const t = await web.owner()
    const { page } = t
    await page.goto('/priorities')
    await page.getByRole('heading', { name: 'Board' }).waitFor()
    await screenshot(page, 'priorities')

    await page.getByRole('button', { name: 'New task' }).click()
    const drawer = page.getByRole('dialog', { name: 'New task' })
    await drawer.getByLabel('Title').fill('E2E: rehearse the board presentation')
    await drawer.getByLabel('Priority').selectOption('low')
    await drawer.getByRole('button', { name: 'Create task' }).click()
    await page.getByText(/Task #\d+ created/).waitFor()

    const schedule = page.getByRole('region', { name: /^Schedule/ })
    const card = schedule.locator('li.board-card', { hasText: 'E2E: rehearse the board presentation' })
    await card.waitFor()
    const created = await web.fleet.api('GET', '/api/priorities/tasks?q=rehearse', { token: web.token })
    const id = (created.body.items as Array<{ id: string }>)[0]!.id
    expect((await item(id)).quadrant).toBe('Q2')

    await card.dragTo(page.getByRole('region', { name: /^Do now/ }))
    await page.getByRole('region', { name: /^Do now/ }).locator('li.board-card', { hasText: 'E2E: rehearse' }).waitFor()
    expect(await item(id)).toMatchObject({ quadrant: 'Q1', urgencyOverride: 50 })

    const moved = page.getByRole('region', { name: /^Do now/ }).locator('li.board-card', { hasText: 'E2E: rehearse' })
    await moved.getByRole('button', { name: /Move “E2E: rehearse.*” to…/ }).press('Enter')
    await page.getByRole('button', { name: /^Eliminate/ }).click()
    await page.getByRole('region', { name: /^Eliminate/ }).locator('li.board-card', { hasText: 'E2E: rehearse' }).waitFor()
    expect(await item(id)).toMatchObject({ quadrant: 'Q4', importanceOverride: 49, urgencyOverride: 49 })

    await page.getByRole('region', { name: /^Eliminate/ }).getByRole('button', { name: 'E2E: rehearse the board presentation', exact: true }).click()
    const details = page.getByRole('dialog', { name: 'E2E: rehearse the board presentation' })
    await details.getByRole('table').getByText('override').first().waitFor()
    await page.evaluate(() => { (document.activeElement as HTMLElement | null)?.blur() })
    await screenshot(page, 'priorities-item')
    await details.getByRole('button', { name: 'Reset overrides' }).click()
    await page.getByText('Overrides reset').waitFor()
    expect(await item(id)).toMatchObject({ quadrant: 'Q2', importanceOverride: null, urgencyOverride: null })
    t.expectClean()
    await t.close()
  })

  test('Done from the surfaced list, and a task added elsewhere shows up live', async () => {
    const t = await web.owner()
    const { page } = t
    await page.goto('/priorities')
    await page.getByRole('heading', { name: 'Top of your list' }).waitFor()
    const title = 'E2E: sign the urgent renewal today'
    const made = await web.fleet.api('POST', '/api/priorities/tasks', { token: web.token, body: { title, priority: 'critical', dueAt: new Date(Date.now() + 3_600_000).toISOString() } })
    expect(made.status).toBe(201)
    const row = page.locator('ol.surfaced li', { hasText: title })
    await row.waitFor({ timeout: 15_000 }) // the live push, no reload
    await row.getByRole('button', { name: `Done: “${title}”` }).click()
    await page.getByText('Marked done').waitFor()
    await expect(row.count()).resolves.toBe(0)
    const task = await web.fleet.api('GET', `/api/priorities/tasks/${made.body.task.id as string}`, { token: web.token })
    expect(task.body.status).toBe('completed')
    t.expectClean()
    await t.close()
  })

  test('the board stacks its quadrants at phone width', async () => {
    const t = await web.owner(PHONE)
    const { page } = t
    await page.goto('/priorities')
    await page.getByRole('region', { name: /^Eliminate/ }).waitFor()
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)
    expect(overflow).toBeLessThanOrEqual(0)
    t.expectClean()
    await t.close()
  })
})
