// Vitest global setup: migrate the run's template database once (the same set-up script as `npm start`),
// make throw-away key files, and provide both to every test file. Each file then clones the template.
import { execFileSync } from 'node:child_process'
import { existsSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { tmpdir } from 'node:os'
import type { TestProject } from 'vitest/node'
import { dropDatabase } from '@robbie/db'
import type { RobbieTestEnv } from './env.js'

const root = join(import.meta.dirname, '..', '..', '..')

/**
 * The run's key files, made by the same bootstrap as `npm start` (a keys-only run: no database named), in a
 * folder of the run's own: JWT signing keys, pepper, audit keys, a service key per service.
 */
function makeKeys (runDir: string): { keysDir: string, jwtKeysFile: string, serviceKeyFile: string } {
  if (!existsSync(join(runDir, 'keys', 'jwt-signing.json'))) {
    const { DATABASE_URL: _d, ROBBIE_ADMIN_DATABASE_URL: _a, ROBBIE_DB_NAME: _n, ...env } = process.env
    execFileSync(process.execPath, ['--import', 'tsx', join(root, 'scripts', 'bootstrap.ts')], {
      cwd: root, stdio: 'pipe', env: { ...env, ROBBIE_RUN_DIR: runDir }
    })
  }
  const keysDir = join(runDir, 'keys')
  return { keysDir, jwtKeysFile: join(keysDir, 'jwt-signing.json'), serviceKeyFile: join(keysDir, 'svc-auth.key') }
}

export default function setup (project: TestProject): (() => Promise<void>) | undefined {
  const run = process.env.ROBBIE_TEST_RUN ?? `r${process.pid}`
  const adminUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
  const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'
  const runDir = process.env.ROBBIE_RUN_DIR ?? join(root, '.run')
  const template = `robbie_test_${run}_tpl`
  const ownTemplate = process.env.ROBBIE_TEST_TEMPLATE !== template
  if (ownTemplate) {
    // Not prepared by scripts/test.mjs (a direct `vitest` run): make the template now. Idempotent.
    execFileSync(process.execPath, ['--import', 'tsx', join(root, 'scripts', 'setup-db.ts'), '--quiet'], {
      cwd: root, stdio: 'inherit', env: { ...process.env, ROBBIE_ADMIN_DATABASE_URL: adminUrl, ROBBIE_DB_NAME: template, ROBBIE_RUN_DIR: runDir }
    })
  }
  const keys = makeKeys(join(tmpdir(), `robbie-test-${run}-keys`))
  const env: RobbieTestEnv = { run, adminUrl, redisUrl, template, runDir, ...keys }
  project.provide('robbieTest', env)
  // scripts/test.mjs drops the run's databases itself; a direct vitest run drops the template it made
  return async () => {
    if (ownTemplate) await dropDatabase(adminUrl, template)
    rmSync(join(keys.keysDir, '..'), { recursive: true, force: true }) // the run's throw-away keys
  }
}
