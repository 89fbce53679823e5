// The app core in Chromium against a fleet of its own: session (reload, two tabs, logout), an API key created,
// shown once and revoked, the killswitch, secrets, the audit log with chain verification, the system screen,
// and screenshots of each of these screens for docs/USER_GUIDE.md.
import { describe, expect, test } from 'vitest'
import { NAV } from '../src/components/nav-items.js'
import { createUser, newPage, PHONE, screenshot, signIn, type TestPage } from './browser.js'
import { webFleet } from './fixtures.js'

const web = webFleet({ name: 'webcore' })

async function signedIn (role: 'owner' | 'admin' | 'member' = 'owner'): Promise<TestPage> {
  const t = await newPage(web.browser, { baseURL: web.fleet.url })
  const who = role === 'owner' ? { email: web.fleet.ownerEmail, password: web.fleet.ownerPassword } : await createUser(web.fleet, role)
  await signIn(t.page, who.email, who.password)
  return t
}

describe('session', () => {
  test('a reload and a second tab keep the session; logging out in one tab logs out both', async () => {
    const t = await newPage(web.browser, { baseURL: web.fleet.url })
    const { page } = t
    await page.goto('/')
    await page.getByRole('heading', { name: 'Sign in' }).waitFor()
    await screenshot(page, 'login')
    const member = await createUser(web.fleet, 'member', 'Mia Member')
    await signIn(page, member.email, member.password)

    await page.reload()
    await page.getByRole('navigation', { name: 'Main' }).waitFor()
    const tab2 = await t.newTab()
    await tab2.page.goto('/settings/profile')
    await tab2.page.getByRole('heading', { name: 'Profile' }).waitFor()
    expect(await tab2.page.getByLabel('Name', { exact: true }).inputValue()).toBe('Mia Member')

    await page.getByRole('button', { name: /account menu/ }).click()
    await page.getByRole('button', { name: 'Log out' }).click()
    await page.getByRole('heading', { name: 'Sign in' }).waitFor()
    await tab2.page.getByRole('heading', { name: 'Sign in' }).waitFor()
    await page.reload()
    await page.getByRole('heading', { name: 'Sign in' }).waitFor()
    t.expectClean()
    tab2.expectClean()
    await t.close()
  })
})

describe('API keys', () => {
  test('a key is created with its scopes, shown once, works, and stops working when revoked', async () => {
    const t = await signedIn('owner')
    const { page } = t
    await page.goto('/settings/keys')
    await page.getByRole('button', { name: 'Create key' }).click()
    const dialog = page.getByRole('dialog', { name: 'Create an API key' })
    await dialog.getByLabel('Name').fill('E2E script')
    await dialog.getByRole('button', { name: 'None' }).click()
    await dialog.getByLabel('auth:read').check()
    await dialog.getByLabel('Expires after').selectOption('30')
    await screenshot(page, 'settings-keys-create')
    await dialog.getByRole('button', { name: 'Create key' }).click()

    const shown = page.getByRole('dialog', { name: 'Your new API key' })
    const key = await shown.getByLabel(/Key “E2E script”/).inputValue()
    expect(key).toMatch(/^robbie_pat_[0-9A-Za-z]{50}$/)
    await screenshot(page, 'settings-keys-shown-once')
    const me = await web.fleet.api('GET', '/api/auth/me', { token: key })
    expect(me.status).toBe(200)
    await shown.getByRole('button', { name: 'I have copied it' }).click()
    await expect(page.getByRole('dialog', { name: 'Your new API key' }).count()).resolves.toBe(0)
    // shown once: nothing on the page holds the key any more
    expect(await page.content()).not.toContain(key)

    const row = page.getByRole('row', { name: /E2E script/ })
    await row.getByRole('button', { name: 'Revoke E2E script' }).click()
    await page.getByRole('dialog', { name: /Revoke “E2E script”/ }).getByRole('button', { name: 'Revoke key' }).click()
    await row.getByText('revoked').waitFor()
    await screenshot(page, 'settings-keys')
    const after = await web.fleet.api('GET', '/api/auth/me', { token: key })
    expect(after.status).toBe(401)
    t.expectClean()
    await t.close()
  })
})

describe('settings, killswitch', () => {
  test('users, company and sample data render; an invite link is shown once', async () => {
    const t = await signedIn('owner')
    const { page } = t
    await page.goto('/settings/profile')
    await page.getByRole('heading', { name: 'Sessions' }).waitFor()
    await screenshot(page, 'settings-profile')

    await page.getByRole('link', { name: 'Users' }).click()
    await page.getByRole('button', { name: 'Invite' }).click()
    const dialog = page.getByRole('dialog', { name: 'Invite someone' })
    await dialog.getByLabel('Email').fill(`invitee-${Date.now()}@e2e.test`)
    await dialog.getByRole('button', { name: 'Create invite' }).click()
    const link = await page.getByLabel('Invite link').inputValue()
    expect(link).toMatch(new RegExp(`^${web.fleet.url}/invite#.{20,}`))
    await page.getByRole('button', { name: 'Done' }).click()
    await page.getByRole('heading', { name: 'Pending invites' }).waitFor()
    await expect(page.getByRole('table', { name: 'Pending invites' }).getByRole('row').count()).resolves.toBeGreaterThan(1)
    await screenshot(page, 'settings-users')

    await page.getByRole('link', { name: 'Company' }).click()
    await page.getByLabel('Company name').waitFor()
    // npm start creates the owner but names no company: the form requires a name before it saves
    await page.getByLabel('Company name').fill('Acme Robotics')
    await page.getByLabel('Internal email domains').fill('acme.example, acme-robotics.example')
    await page.getByLabel('Writing style').fill('Short sentences, no exclamation marks.')
    const [saved] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/api/auth/company') && r.request().method() === 'PATCH'),
      page.getByRole('button', { name: 'Save' }).click()
    ])
    expect(`${saved.status()} ${await saved.text()}`).toMatch(/^200 /)
    await page.getByText('Company settings saved').waitFor()
    await screenshot(page, 'settings-company')
    const company = await web.fleet.api('GET', '/api/auth/company', { token: (await web.fleet.login()).accessToken })
    expect(company.body).toMatchObject({
      name: 'Acme Robotics', internalDomains: ['acme.example', 'acme-robotics.example'], writingStyle: 'Short sentences, no exclamation marks.'
    })

    await page.getByRole('link', { name: 'Sample data' }).click()
    await page.getByRole('button', { name: 'Load sample data' }).waitFor()
    await screenshot(page, 'settings-sample-data')
    t.expectClean()
    await t.close()
  })

  test('the killswitch needs two steps, and every user sees the banner while it is on', async () => {
    const admin = await signedIn('admin')
    const member = await signedIn('member')
    await admin.page.goto('/settings/killswitch')
    await admin.page.getByRole('heading', { name: 'Killswitch' }).waitFor()
    await admin.page.getByRole('banner').getByRole('button', { name: 'Pause' }).click()
    const step1 = admin.page.getByRole('dialog', { name: 'Pause autonomy?' })
    await step1.getByLabel('Reason').fill('Quarterly review')
    await screenshot(admin.page, 'killswitch-confirm')
    await step1.getByRole('button', { name: 'Continue' }).click()
    await admin.page.getByRole('dialog', { name: 'Confirm: pause autonomy' }).getByRole('button', { name: 'Yes, pause now' }).click()
    await admin.page.getByText('Autonomy paused.').waitFor()
    const state = await web.fleet.api('GET', '/api/auth/killswitch', { token: (await web.fleet.login()).accessToken })
    expect(state.body).toMatchObject({ active: true, reason: 'Quarterly review', pauseOutbound: true })
    await screenshot(admin.page, 'settings-killswitch')

    await member.page.reload()
    await member.page.getByText('Autonomy paused.').waitFor()
    expect(await member.page.getByRole('button', { name: /Pause|Resume/ }).count()).toBe(0) // members cannot toggle

    await admin.page.getByRole('banner').getByRole('button', { name: 'Resume autonomy' }).click()
    await admin.page.getByRole('dialog', { name: 'Resume autonomy?' }).getByRole('button', { name: 'Continue' }).click()
    await admin.page.getByRole('dialog', { name: 'Confirm: resume autonomy' }).getByRole('button', { name: 'Yes, resume' }).click()
    await admin.page.getByText('Autonomy resumed').waitFor()
    expect(await admin.page.getByText('Autonomy paused.').count()).toBe(0)
    admin.expectClean()
    member.expectClean()
    await admin.close()
    await member.close()
  })
})

describe('secrets, audit, system', () => {
  test('a secret is added write-only, revealed with a reason, rotated, deleted and restored', async () => {
    const t = await signedIn('owner')
    const { page } = t
    await page.goto('/secrets')
    await page.getByText('Unsealed.').waitFor()
    await page.getByRole('button', { name: 'Add secret' }).click()
    const add = page.getByRole('dialog', { name: 'Add a secret' })
    await add.getByLabel('Service').fill('smtp')
    await add.getByLabel('Name').fill('password')
    await add.getByLabel('Value').fill('hunter2-e2e-value')
    await add.getByLabel('Description').fill('Mail relay password')
    await add.getByRole('button', { name: 'Add secret' }).click()
    const row = page.getByRole('row', { name: /smtp.*password/ })
    await row.waitFor()
    expect(await page.content()).not.toContain('hunter2-e2e-value')

    await row.getByRole('button', { name: 'Reveal smtp/password' }).click()
    const reveal = page.getByRole('dialog', { name: 'Reveal smtp/password' })
    await reveal.getByLabel('Reason').fill('Configuring the new relay')
    await reveal.getByRole('button', { name: 'Reveal' }).click()
    expect(await reveal.getByLabel('Value').inputValue()).toBe('hunter2-e2e-value')
    await reveal.getByText(/Hidden again in \d+ s/).waitFor()
    await reveal.getByRole('button', { name: 'Close' }).click()

    await row.getByRole('button', { name: 'Rotate smtp/password' }).click()
    const rotate = page.getByRole('dialog', { name: 'Rotate smtp/password' })
    await rotate.getByLabel('New value').fill('hunter3-e2e-value')
    await rotate.getByRole('button', { name: 'Save new version' }).click()
    await page.getByText('smtp/password saved (version 2)').waitFor()
    await screenshot(page, 'secrets')

    await row.getByRole('button', { name: 'Versions of smtp/password' }).click()
    await page.getByRole('dialog', { name: 'Versions of smtp/password' }).getByText('current').waitFor()
    await screenshot(page, 'secrets-versions')
    await page.getByRole('dialog', { name: 'Versions of smtp/password' }).getByRole('button', { name: 'Close' }).click()

    await row.getByRole('button', { name: 'Delete smtp/password' }).click()
    await page.getByRole('dialog', { name: 'Delete smtp/password?' }).getByRole('button', { name: 'Delete' }).click()
    await page.getByText('smtp/password deleted; restorable for 30 days').waitFor()
    await page.getByLabel('Show deleted').check()
    await page.getByRole('button', { name: 'Restore smtp/password' }).click()
    await page.getByText('smtp/password restored').waitFor()
    t.expectClean()
    await t.close()
  })

  test('the audit log lists rows, shows one in full, verifies every chain and exports JSON Lines', async () => {
    const t = await signedIn('owner')
    const { page } = t
    await page.goto('/audit')
    await page.getByRole('table', { name: 'Audit rows, newest first' }).waitFor()
    await page.getByLabel('Action').fill('auth.login')
    await page.getByRole('button', { name: 'Apply filters' }).click()
    await page.getByText(/^\d+ row\(s\)/).waitFor() // the filtered page has arrived
    await page.getByRole('cell', { name: 'auth.login' }).first().waitFor()
    expect(await page.getByRole('cell', { name: 'secrets.update' }).count()).toBe(0)
    await screenshot(page, 'audit')
    await page.getByRole('button', { name: /^Details of auth row/ }).first().click()
    const detail = page.getByRole('dialog', { name: /^Audit row auth #/ })
    await detail.getByText('Previous hash').waitFor()
    await screenshot(page, 'audit-detail')
    await detail.getByRole('button', { name: 'Close' }).click()

    const download = page.waitForEvent('download')
    await page.getByRole('button', { name: 'Export JSON Lines' }).click()
    const file = await download
    expect(file.suggestedFilename()).toMatch(/^robbie-audit-.*\.jsonl$/)
    const lines = (await (await file.createReadStream()).toArray()).join('').trim().split('\n')
    expect(lines.length).toBeGreaterThan(0)
    expect(lines.every((l) => (JSON.parse(l) as { action: string }).action === 'auth.login')).toBe(true)

    await page.getByRole('link', { name: 'Verify & checkpoints' }).click()
    await page.getByRole('button', { name: 'Verify chain' }).click()
    const results = page.getByRole('table', { name: 'Verification per service' })
    await results.waitFor()
    for (const service of ['auth', 'secrets', 'priorities']) {
      await expect(results.getByRole('row', { name: new RegExp(`^${service} ok`) }).count()).resolves.toBe(1)
    }
    await screenshot(page, 'audit-verify')
    t.expectClean()
    await t.close()
  })

  test('the system screen shows every service ready', async () => {
    const t = await signedIn('owner')
    const { page } = t
    await page.goto('/system')
    await page.getByText(/\d+ of 8 services ready/).waitFor()
    await expect(page.getByRole('region', { name: 'auth' }).getByText('ready', { exact: true }).count()).resolves.toBe(1)
    await expect(page.getByRole('region', { name: 'secrets' }).getByText('ready', { exact: true }).count()).resolves.toBe(1)
    await screenshot(page, 'system')
    t.expectClean()
    await t.close()
  })
})

describe('phone width', () => {
  test('every screen fits a 360 px phone without sideways scrolling, and the menu opens the navigation', async () => {
    const t = await newPage(web.browser, { baseURL: web.fleet.url, viewport: PHONE })
    const { page } = t
    await signIn(page, web.fleet.ownerEmail, web.fleet.ownerPassword)
    for (const item of NAV) {
      await page.goto(item.path)
      await page.locator('main h1').first().waitFor()
      await page.waitForLoadState('networkidle')
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
      expect(overflow, `${item.path} scrolls sideways`).toBeLessThanOrEqual(0)
      await screenshot(page, `phone-${item.path.slice(1)}`)
    }
    await page.getByRole('button', { name: 'Menu', exact: true }).click()
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Secrets' }).click()
    await page.getByRole('heading', { name: 'Secrets' }).waitFor()
    expect(await page.getByRole('navigation', { name: 'Main' }).isVisible()).toBe(false)
    t.expectClean()
    await t.close()
  })
})
