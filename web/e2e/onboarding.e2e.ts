// The first-run wizard in Chromium (issue 8, point 2): a fleet started without an owner
// (ROBBIE_CREATE_OWNER=false), the console's setup code, the owner and company, personality, no model node,
// sample data, and the chat at the end; afterwards the wizard is gone for good, also after a reload.
import { afterAll, beforeAll, expect, test } from 'vitest'
import type { Browser } from 'playwright-core'
import { startFleet, type RunningFleet } from '../../test/e2e/fleet-harness.js'
import { launchBrowser, newPage, screenshot } from './browser.js'

let fleet: RunningFleet
let browser: Browser

beforeAll(async () => {
  fleet = await startFleet({ name: 'webonboard', createOwner: false })
  browser = await launchBrowser()
})
afterAll(async () => {
  await browser?.close()
  await fleet?.stop()
})

test('the owner sets Robbie up with the setup code and lands in the chat', async () => {
  const before = await fleet.api('GET', '/api/auth/setup')
  expect(before.body).toEqual({ needsOwner: true, onboarded: false })
  const code = fleet.setupCode()
  expect(code.length).toBeGreaterThan(0)

  const t = await newPage(browser, { baseURL: fleet.url })
  const { page } = t
  await page.goto('/')
  await page.getByRole('heading', { name: 'Account' }).waitFor()
  await page.getByLabel('Setup code').fill(code)
  await page.getByLabel('Your name').fill('Olga Owner')
  await page.getByLabel('Email').fill('olga@e2e.test')
  await page.getByLabel('Password', { exact: true }).fill('a-long-owner-password-1')
  await page.getByLabel('Repeat password').fill('a-long-owner-password-1')
  await page.getByLabel('Company name').fill('Acme Robotics')
  await page.getByLabel('Company time zone').selectOption('Europe/Berlin')
  await page.evaluate(() => { (document.activeElement as HTMLElement | null)?.blur(); window.scrollTo(0, 0) })
  await screenshot(page, 'onboarding-account')

  await page.getByLabel('Setup code').fill('not-the-code')
  await page.getByRole('button', { name: 'Create account' }).click()
  await page.getByText('That setup code is not right.').waitFor()
  await page.getByLabel('Setup code').fill(code)
  await page.getByRole('button', { name: 'Create account' }).click()

  // (2) personality: the live preview, or the friendly note while the chat service lacks it
  await page.getByRole('heading', { name: 'Personality' }).waitFor()
  const preview = page.getByLabel('Prompt preview')
  const brevity = page.getByRole('slider', { name: 'Brevity' })
  await brevity.or(page.getByText('Robbie starts balanced')).first().waitFor()
  if (await brevity.count() > 0) {
    const placeholder = 'The preview appears when the chat service answers.'
    await expect.poll(async () => await preview.textContent(), { timeout: 10_000 }).not.toBe(placeholder)
    const first = await preview.textContent()
    await page.getByRole('slider', { name: 'Brevity' }).fill('9')
    await expect.poll(async () => await preview.textContent(), { timeout: 10_000 }).not.toBe(first)
  }
  await screenshot(page, 'onboarding-personality')
  await page.getByRole('button', { name: 'Continue' }).click()

  // (4) no GPU machine: skip into no-model mode
  await page.getByRole('heading', { name: 'Model node' }).waitFor()
  await screenshot(page, 'onboarding-node')
  await page.getByRole('button', { name: 'Skip: no model for now' }).click()
  await page.getByText('No-model mode.').waitFor()
  await page.getByRole('button', { name: 'Continue' }).click()

  // (5) sample data, on by default
  await page.getByRole('heading', { name: 'Sample data' }).waitFor()
  expect(await page.getByRole('switch', { name: 'Load sample data' }).isChecked()).toBe(true)
  await screenshot(page, 'onboarding-sample')
  await page.getByRole('button', { name: 'Finish and open the chat' }).click()
  await page.waitForURL(/\/chat$/)
  await page.getByRole('navigation', { name: 'Main' }).waitFor()

  const after = await fleet.api('GET', '/api/auth/setup')
  expect(after.body).toEqual({ needsOwner: false, onboarded: true })
  const { accessToken, user } = await fleet.login('olga@e2e.test', 'a-long-owner-password-1')
  expect(user.role).toBe('owner')
  const company = await fleet.api('GET', '/api/auth/company', { token: accessToken })
  expect(company.body).toMatchObject({ name: 'Acme Robotics', timeZone: 'Europe/Berlin' })
  const audit = await fleet.api('GET', '/api/auth/audit?action=auth.sample-data.load', { token: accessToken })
  expect((audit.body as { items: unknown[] }).items.length).toBe(1)

  await page.reload()
  await page.getByRole('navigation', { name: 'Main' }).waitFor()
  expect(await page.getByRole('heading', { name: 'Account' }).count()).toBe(0)
  t.expectClean()
  await t.close()
})
