// The personality screen in Chromium: moving a slider changes the compiled-prompt preview (and nothing stored),
// compare shows the line diff, Save and a preset change the stored personality and the avatar's mood.
import { describe, expect, test } from 'vitest'
import { createUser, newPage, PHONE, screenshot, signIn } from './browser.js'
import { webFleet } from './fixtures.js'

const web = webFleet({ name: 'webpersona' })

async function personalityOf (email: string, password: string) {
  const { accessToken } = await web.fleet.login(email, password)
  return (await web.fleet.api('GET', '/api/chat/personality', { token: accessToken })).body as { gandhi: number, preset: string | null, mood: string }
}

describe('personality', () => {
  test('a slider move changes the preview; compare shows the diff; Save and a preset store it', async () => {
    const user = await createUser(web.fleet, 'member', 'Pat Persona')
    const t = await newPage(web.browser, { baseURL: web.fleet.url })
    const { page } = t
    await signIn(page, user.email, user.password)
    await page.goto('/personality')
    const focusFragment = page.locator('pre.preview mark.frag-gandhi').first()
    await focusFragment.getByText(/^Balanced:/).waitFor()
    await page.getByText('Never acts alone').waitFor()

    await page.getByLabel('Focus', { exact: true }).fill('9')
    await focusFragment.getByText(/^Strategic:/).waitFor()
    await page.getByText('Not saved yet').waitFor()
    expect((await personalityOf(user.email, user.password)).gandhi).toBe(5) // a preview stores nothing

    await page.getByLabel('Compare with').selectOption('saved')
    await page.getByRole('list', { name: 'Line differences' }).waitFor()
    await expect(page.locator('.diff-removed').first().textContent()).resolves.toContain('Balanced:')
    await expect(page.locator('.diff-added').first().textContent()).resolves.toContain('Strategic:')
    await page.evaluate(() => { (document.activeElement as HTMLElement | null)?.blur() })
    await screenshot(page, 'personality')

    await page.getByRole('button', { name: 'Save', exact: true }).click()
    await page.getByText('Personality saved').waitFor()
    expect((await personalityOf(user.email, user.password)).gandhi).toBe(9)

    await page.getByLabel('Autonomy', { exact: true }).fill('7')
    await page.getByText('Acts alone at ≥ 80 % confidence').waitFor()

    await page.getByRole('button', { name: 'Firefighter' }).click()
    await page.getByRole('button', { name: 'Firefighter', pressed: true }).waitFor()
    const stored = await personalityOf(user.email, user.password)
    expect(stored).toMatchObject({ gandhi: 2, preset: 'firefighter', mood: 'bossy' })
    await page.getByRole('img', { name: 'Robbie is bossy' }).first().waitFor()
    t.expectClean()
    await t.close()
  })

  test('the panel works at phone width', async () => {
    const user = await createUser(web.fleet, 'member')
    const t = await newPage(web.browser, { baseURL: web.fleet.url, viewport: PHONE })
    const { page } = t
    await signIn(page, user.email, user.password)
    await page.goto('/personality')
    await page.locator('pre.preview mark.frag-turbo').first().waitFor()
    await page.getByLabel('Brevity', { exact: true }).fill('9')
    await page.locator('pre.preview mark.frag-turbo').getByText(/^Turbo:/).waitFor()
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)
    expect(overflow).toBeLessThanOrEqual(0)
    t.expectClean()
    await t.close()
  })
})
