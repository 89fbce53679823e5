// The scaffolder (CONVENTIONS §11): `npm run new-service` copies services/_template into a working service.
// Scaffold into a temporary folder, borrow an existing service's dependencies, and typecheck the result.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'

const root = join(import.meta.dirname, '..', '..')
const into = mkdtempSync(join(tmpdir(), 'robbie-scaffold-'))
afterAll(() => { rmSync(into, { recursive: true, force: true }) })

describe('new-service', () => {
  it('scaffolds a service that typechecks, named throughout', () => {
    execFileSync(process.execPath, ['scripts/new-service.mjs', 'expense-tracker', '--purpose', 'Tracks expenses.', '--port', '3199', '--into', into], { cwd: root })
    const dir = join(into, 'expense-tracker')
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name: string }
    expect(pkg.name).toBe('@robbie/expense-tracker')
    expect(readFileSync(join(dir, 'migrations', '001.do.describe-schema.sql'), 'utf8')).toContain('COMMENT ON SCHEMA expense_tracker')
    expect(readFileSync(join(dir, 'src', 'server.ts'), 'utf8')).toContain("runService('expense-tracker'")
    symlinkSync(join(root, 'services', 'auth', 'node_modules'), join(dir, 'node_modules'))
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ extends: join(root, 'tsconfig.base.json'), compilerOptions: { typeRoots: [join(root, 'node_modules', '@types')] }, include: ['src'] }))
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc')
    expect(() => execFileSync(process.execPath, [tsc, '--noEmit', '-p', dir], { cwd: dir, encoding: 'utf8' })).not.toThrow()
  })

  it('refuses a bad name and an existing folder', () => {
    expect(() => execFileSync(process.execPath, ['scripts/new-service.mjs', 'Bad_Name', '--into', into], { cwd: root, stdio: 'pipe' })).toThrow()
    expect(() => execFileSync(process.execPath, ['scripts/new-service.mjs', 'expense-tracker', '--into', into], { cwd: root, stdio: 'pipe' })).toThrow()
  })
})
