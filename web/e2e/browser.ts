// The browser side of the web app's end-to-end tests (CONVENTIONS §4): Debian's Chromium driven by
// playwright-core, pages that record every console error and page error (a test fails on any), screenshots for
// docs/USER_GUIDE.md, and sign-in helpers. The fleet comes from test/e2e/fleet-harness.ts.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import { expect } from 'vitest'
import { ROOT, type RunningFleet } from '../../test/e2e/fleet-harness.js'

/** The flags CONVENTIONS §4 names for Chromium in tests. */
export const CHROMIUM_FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run',
  '--disable-component-update', '--disable-sync'
]
export const DESKTOP = { width: 1280, height: 800 }
export const PHONE = { width: 360, height: 740 }
export const SCREENSHOTS = join(ROOT, 'docs', 'screenshots')

/** CHROMIUM_PATH, else Debian's /usr/bin/chromium, installed with apt-get when missing and we are root. */
export function chromiumPath (): string {
  const given = process.env.CHROMIUM_PATH
  if (given) return given
  const path = '/usr/bin/chromium'
  if (existsSync(path)) return path
  const hint = 'Chromium is not installed: apt-get install -y chromium (or set CHROMIUM_PATH)'
  if (process.getuid?.() !== 0) throw new Error(hint)
  for (const args of [['update'], ['install', '-y', '--no-install-recommends', '-o', 'DPkg::Lock::Timeout=300', 'chromium']]) {
    const r = spawnSync('apt-get', args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } })
    if (r.status !== 0) throw new Error(`apt-get ${args.join(' ')} failed. ${hint}`)
  }
  if (!existsSync(path)) throw new Error(hint)
  return path
}

export async function launchBrowser (): Promise<Browser> {
  return await chromium.launch({ executablePath: chromiumPath(), headless: true, args: CHROMIUM_FLAGS })
}

export interface TestPage {
  page: Page
  context: BrowserContext
  /** console errors and uncaught page errors seen so far */
  errors: string[]
  /** responses of 500 or more from the API (readiness probes excepted: their 503 is an answer) */
  serverErrors: string[]
  /** fails the test on any console error, page error or server error recorded */
  expectClean: () => void
  /** another tab in the same browser profile (shares the refresh cookie), recorded the same way */
  newTab: () => Promise<TestPage>
  close: () => Promise<void>
}

// A failed fetch is printed by Chromium as "Failed to load resource: … status of 404": those are API answers
// the screens handle (a 404 from a service that is not there yet, a 401 before a refresh). Server errors
// are caught from the responses instead, and every other console error counts.
const NETWORK_NOISE = /^Failed to load resource: the server responded with a status of \d{3}/

function record (page: Page, context: BrowserContext): TestPage {
  const errors: string[] = []
  const serverErrors: string[] = []
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !NETWORK_NOISE.test(msg.text())) errors.push(`console: ${msg.text()}`)
  })
  page.on('pageerror', (err) => { errors.push(`pageerror: ${err.message}`) })
  page.on('response', (res) => {
    const url = new URL(res.url())
    if (res.status() >= 500 && url.pathname.startsWith('/api/') && !url.pathname.endsWith('/readyz')) serverErrors.push(`${res.status()} ${res.request().method()} ${url.pathname}`)
  })
  return {
    page,
    context,
    errors,
    serverErrors,
    expectClean: () => {
      expect(errors, 'console or page errors').toEqual([])
      expect(serverErrors, 'server errors').toEqual([])
    },
    newTab: async () => record(await context.newPage(), context),
    close: async () => { await context.close() }
  }
}

/** A fresh profile (no cookies) with one page at `viewport`. Use the fleet's `url` (localhost) as base. */
export async function newPage (browser: Browser, opts: { baseURL: string, viewport?: { width: number, height: number } }): Promise<TestPage> {
  const context = await browser.newContext({ baseURL: opts.baseURL, viewport: opts.viewport ?? DESKTOP, reducedMotion: 'reduce' })
  return record(await context.newPage(), context)
}

/** Saves docs/screenshots/<name>.png of what the page shows now. */
export async function screenshot (page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true })
  const path = join(SCREENSHOTS, `${name}.png`)
  // let fonts, lazy chunks and transitions settle so the picture is the steady screen
  await page.evaluate(async () => { await document.fonts.ready })
  await page.waitForLoadState('networkidle').catch(() => {})
  // Toasts are transient: keep them out of the guide's pictures. (Not with screenshot's `style` option: that
  // injects a <style> element, which the gateway's CSP refuses with a console error.)
  const hide = (hidden: boolean) => page.evaluate((h) => {
    const el = document.querySelector<HTMLElement>('.toasts')
    if (el) el.style.visibility = h ? 'hidden' : ''
  }, hidden)
  await hide(true)
  await page.screenshot({ path, animations: 'disabled', caret: 'hide' })
  await hide(false)
  return path
}

/** Signs in through the login form and waits for the app shell. */
export async function signIn (page: Page, email: string, password: string): Promise<void> {
  await page.goto('/')
  await page.getByLabel('Email').fill(email)
  await page.getByLabel('Password').fill(password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.getByRole('banner').waitFor() // the header: the navigation itself is folded away on a phone
}

/** Ends the first-run wizard through the API, for tests that are not about it. */
export async function markOnboarded (fleet: RunningFleet): Promise<void> {
  const { accessToken } = await fleet.login()
  const res = await fleet.api('PATCH', '/api/auth/company', { token: accessToken, body: { onboarded: true } })
  if (res.status !== 200) throw new Error(`marking onboarded: ${res.status} ${JSON.stringify(res.body)}`)
}

let userCount = 0
/** A new user of `role` (invited by the owner, invite accepted): each test signs in as its own user. */
export async function createUser (fleet: RunningFleet, role: 'admin' | 'member', name = `${role} ${++userCount}`): Promise<{ email: string, password: string, id: string }> {
  const { accessToken } = await fleet.login()
  const email = `${role}-${Date.now()}-${userCount}@e2e.test`
  const invite = await fleet.api('POST', '/api/auth/invites', { token: accessToken, body: { email, role } })
  if (invite.status !== 201) throw new Error(`invite: ${invite.status} ${JSON.stringify(invite.body)}`)
  const token = String((invite.body as { inviteUrl: string }).inviteUrl).split('#')[1]
  const password = `e2e-${role}-Password-1`
  const accepted = await fleet.api('POST', '/api/auth/invites/accept', { body: { token, name, password } })
  if (accepted.status !== 200) throw new Error(`accept: ${accepted.status} ${JSON.stringify(accepted.body)}`)
  return { email, password, id: (accepted.body as { user: { id: string } }).user.id }
}
