// Vitest global setup: migrate the run's template database once (the same set-up script as `npm start`),
// make throw-away key files, and provide both to every test file. Each file then clones the template.
import { execFileSync } from 'node:child_process'
import { generateKeyPairSync, randomBytes } from 'node:crypto'
import { mkdirSync, writeFileSync, existsSync } from 'node:fs'
import { join } from 'node:path'
import { tmpdir } from 'node:os'
import type { TestProject } from 'vitest/node'
import { generateApiKey } from '@robbie/contracts'
import { dropDatabase } from '@robbie/db'
import type { RobbieTestEnv } from './env.js'

const root = join(import.meta.dirname, '..', '..', '..')

function makeKeys (dir: string): { jwtKeysFile: string, serviceKeyFile: string } {
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  const jwtKeysFile = join(dir, 'jwt-signing.json')
  const serviceKeyFile = join(dir, 'svc-test.key')
  if (!existsSync(jwtKeysFile)) {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519')
    const kid = randomBytes(8).toString('hex')
    writeFileSync(jwtKeysFile, JSON.stringify({
      keys: [{ kid, createdAt: new Date().toISOString(), privateJwk: privateKey.export({ format: 'jwk' }), publicJwk: publicKey.export({ format: 'jwk' }) }]
    }), { mode: 0o600 })
    writeFileSync(serviceKeyFile, generateApiKey('svc').key, { mode: 0o600 })
  }
  return { jwtKeysFile, serviceKeyFile }
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
  return ownTemplate ? async () => { await dropDatabase(adminUrl, template) } : undefined
}
