// First run (SPEC §2.1): the one-time setup code, printed and written to a file, creates the owner once.
import { readFileSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { bearer, buildAuthApp, refreshCookieOf } from './helper.js'

const codeFile = join(tmpdir(), `robbie-setup-code-${process.pid}-${Date.now()}`)
const { app, printed } = await buildAuthApp({ env: { ROBBIE_SETUP_CODE_FILE: codeFile } })
const body = (setupCode: string) => ({ setupCode, email: 'boss@example.test', name: 'The Boss', password: 'a long owner password', companyName: 'Acme Robotics GmbH', timeZone: 'Europe/Berlin' })

describe('setup', () => {
  it('needs an owner at first and prints a code at boot, also into the 0600 file', async () => {
    const res = await app.inject({ url: '/api/auth/setup' })
    expect(res.json()).toEqual({ needsOwner: true, onboarded: false })
    expect(printed).toHaveLength(1)
    const code = /([0-9A-Z]{4}(-[0-9A-Z]{4}){4})$/.exec(printed[0]!)?.[1]
    expect(code).toBeDefined()
    expect(readFileSync(codeFile, 'utf8').trim()).toBe(code)
    expect(statSync(codeFile).mode & 0o777).toBe(0o600)
  })

  it('refuses a wrong code with 403 and creates nothing', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/auth/setup', payload: body('AAAA-BBBB-CCCC-DDDD-EEEE') })
    expect([res.statusCode, res.json().error.code]).toEqual([403, 'AUTH_BAD_SETUP_CODE'])
    expect((await app.inject({ url: '/api/auth/setup' })).json().needsOwner).toBe(true)
  })

  it('refuses bad input before looking at the code', async () => {
    const code = readFileSync(codeFile, 'utf8').trim()
    const res = await app.inject({ method: 'POST', url: '/api/auth/setup', payload: { ...body(code), timeZone: 'Mars/Olympus' } })
    expect([res.statusCode, res.json().error.code]).toEqual([400, 'AUTH_VALIDATION_FAILED'])
    const short = await app.inject({ method: 'POST', url: '/api/auth/setup', payload: { ...body(code), password: 'short' } })
    expect(short.statusCode).toBe(400)
  })

  it('creates the owner and the company with the code, once', async () => {
    const code = readFileSync(codeFile, 'utf8').trim().toLowerCase() // codes are case-insensitive
    const res = await app.inject({ method: 'POST', url: '/api/auth/setup', payload: body(code) })
    expect(res.statusCode).toBe(201)
    const reply = res.json()
    expect(reply.user).toMatchObject({ email: 'boss@example.test', name: 'The Boss', role: 'owner' })
    expect(refreshCookieOf(res)).toMatch(/^robbie_rt=/)
    const company = await app.inject({ url: '/api/auth/company', headers: bearer(reply.accessToken) })
    expect(company.json()).toMatchObject({ name: 'Acme Robotics GmbH', slug: 'acme-robotics-gmbh', timeZone: 'Europe/Berlin', ownerUserId: reply.user.id, ownerName: 'The Boss' })
    expect((await app.inject({ url: '/api/auth/setup' })).json()).toEqual({ needsOwner: false, onboarded: false })

    const again = await app.inject({ method: 'POST', url: '/api/auth/setup', payload: { ...body(code), email: 'second@example.test' } })
    expect([again.statusCode, again.json().error.code]).toEqual([409, 'AUTH_ALREADY_SET_UP'])
    const created = await app.db.query("SELECT type FROM outbox WHERE type = 'auth.user.created.v1' AND envelope->'data'->>'userId' = $1", [reply.user.id])
    expect(created.rowCount).toBe(1)
  })
})
