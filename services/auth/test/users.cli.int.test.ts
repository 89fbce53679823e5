// scripts/users.ts (npm start's owner step, `npm run robbie -- create-user`) against a real database.
import { spawnSync } from 'node:child_process'
import { existsSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { testContext, testEnv } from '@robbie/testing'
import { authKeyFiles } from './helper.js'

const ctx = await testContext('auth')
const root = join(import.meta.dirname, '..', '..', '..')
const run = (args: string[], env: Record<string, string> = {}) => spawnSync(process.execPath, ['--import', 'tsx', join(root, 'scripts', 'users.ts'), ...args], {
  cwd: root,
  encoding: 'utf8',
  env: { ...process.env, DATABASE_URL: ctx.db.urlFor('auth'), ROBBIE_AUDIT_HMAC_KEY_FILE: authKeyFiles().ROBBIE_AUDIT_HMAC_KEY_FILE, ...env }
})

describe('scripts/users.ts', () => {
  it('creates the owner once, prints the generated password once, and removes the setup code file', async () => {
    const codeFile = join(tmpdir(), `robbie-cli-setup-code-${process.pid}`)
    writeFileSync(codeFile, 'OLD-CODE\n')
    const first = run(['create-owner'], { ROBBIE_OWNER_EMAIL: 'chief@example.test', ROBBIE_SETUP_CODE_FILE: codeFile })
    expect(first.status).toBe(0)
    expect(first.stdout).toMatch(/Owner account created\. Log in as chief@example\.test with password [A-Za-z0-9_-]{24}/)
    expect(existsSync(codeFile)).toBe(false)
    const second = run(['create-owner'], { ROBBIE_OWNER_EMAIL: 'someone-else@example.test' })
    expect(second.status).toBe(0)
    expect(second.stdout).toContain('Owner account: chief@example.test')
    expect(second.stdout).not.toContain('password')
  })

  it('creates users with a role, and refuses a bad role', async () => {
    const res = run(['create-user', '--email', 'ops@example.test', '--role', 'admin', '--password', 'a long enough password'])
    expect([res.status, res.stdout.trim()]).toEqual([0, 'Created admin ops@example.test'])
    const again = run(['create-user', '--email', 'OPS@example.test', '--role', 'admin'])
    expect(again.stdout).toContain('exists')
    const bad = run(['create-user', '--email', 'x@example.test', '--role', 'owner'])
    expect(bad.status).toBe(1)
  })

  it('derives auth\'s runtime-role URL from the admin URL, as npm start passes it', async () => {
    const env = testEnv()
    const res = run(['create-user', '--email', 'derived@example.test', '--role', 'member', '--password', 'a long enough password'],
      { DATABASE_URL: '', ROBBIE_ADMIN_DATABASE_URL: env.adminUrl, ROBBIE_DB_NAME: ctx.db.name, ROBBIE_RUN_DIR: env.runDir })
    expect([res.status, res.stdout.trim()]).toEqual([0, 'Created member derived@example.test'])
  })
})
