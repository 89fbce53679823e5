// `npm test`: the same provisioning as `npm start`, then typecheck, lint, and every vitest project (unit,
// integration on the real Postgres and Redis, end to end through real nginx), on the test run's own
// databases and Redis prefix so a developer's fleet keeps running. The last line is `N passed, N failed`.
// Plain Node: a fresh clone has nothing installed when this starts.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'

const root = join(import.meta.dirname, '..')
const runDir = join(root, '.run', 'test')
const run = process.env.ROBBIE_TEST_RUN ?? `t${Date.now().toString(36)}${randomBytes(2).toString('hex')}`
const log = (msg) => console.log(`[test] ${msg}`)
const results = { passed: 0, failed: 0 }

mkdirSync(runDir, { recursive: true })
const { ensureChromium, provision, stopStarted } = await import('./lib/provision.mjs')
let provisioned
try {
  provisioned = await provision({ rootDir: root, runDir, env: process.env, log })
  // the browser tests' Chromium, installed here rather than inside a test's time limit
  log(`Chromium: ${ensureChromium(process.env)}`)
} catch (err) {
  console.error(`[test] set-up failed: ${err.message}`)
  console.log('0 passed, 1 failed')
  process.exit(1)
}

const env = {
  ...process.env,
  ROBBIE_TEST_RUN: run,
  TEST_DATABASE_URL: provisioned.adminDatabaseUrl,
  TEST_REDIS_URL: provisioned.redisUrl,
  ROBBIE_RUN_DIR: runDir,
  // one role-password secret for every fleet of this checkout (the e2e fleets' run dirs included)
  ROBBIE_DB_SECRET_FILE: process.env.ROBBIE_DB_SECRET_FILE ?? join(root, '.run', 'keys', 'db-secret'),
  ROBBIE_TEST_TEMPLATE: `robbie_test_${run}_tpl`,
  FORCE_COLOR: '0'
}

/** A check that is not a vitest test (typecheck, lint) counts as one test. */
function step (name, command, args, extraEnv = {}) {
  log(name)
  const res = spawnSync(command, args, { cwd: root, env: { ...env, ...extraEnv }, stdio: 'inherit' })
  if (res.status === 0) results.passed++
  else { results.failed++; log(`${name} FAILED`) }
  return res.status === 0
}

try {
  step('template database', process.execPath, ['--import', 'tsx', 'scripts/setup-db.ts', '--quiet'], { ROBBIE_DB_NAME: env.ROBBIE_TEST_TEMPLATE, ROBBIE_ADMIN_DATABASE_URL: provisioned.adminDatabaseUrl })
  // one program over every package, service, script and test: faster than a tsc per package
  step('typecheck', 'pnpm', ['exec', 'tsc', '--noEmit', '-p', '.'])
  // the web app has its own program (DOM, JSX) and so have its browser tests
  step('typecheck web', 'pnpm', ['--filter', '@robbie/web', 'typecheck'])
  // typed lint builds a TypeScript program per tsconfig (the root's, web/, web/e2e): more than node's default heap
  step('lint', 'pnpm', ['exec', 'eslint', '.'], { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --max-old-space-size=8192`.trim() })
  const extra = process.argv.slice(2)
  if (extra.length > 0) {
    vitest('vitest', extra)
  } else {
    // Whole fleets (e2e) run after the rest, alone, so their timings are not those of a machine busy with
    // every integration file at once.
    vitest('vitest: unit and integration', ['--project', '!e2e'])
    vitest('vitest: end to end', ['--project', 'e2e'])
  }
} finally {
  await dropRunDatabases()
  await stopStarted(runDir).catch((err) => log(`stopping failed: ${err.message}`))
}
console.log(`${results.passed} passed, ${results.failed} failed`)
process.exit(results.failed === 0 && results.passed > 0 ? 0 : 1)

function vitest (name, args) {
  const report = join(runDir, `vitest-${run}-${results.passed + results.failed}.json`)
  log(name)
  spawnSync('pnpm', ['exec', 'vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...args], { cwd: root, env, stdio: 'inherit' })
  countReport(report)
}

function countReport (file) {
  if (!existsSync(file)) { results.failed++; log('vitest wrote no report'); return }
  const report = JSON.parse(readFileSync(file, 'utf8'))
  results.passed += report.numPassedTests ?? 0
  results.failed += report.numFailedTests ?? 0
  // a file that fails to import counts no failed test in vitest's numbers: count the file
  for (const f of report.testResults ?? []) {
    if (f.status === 'failed' && (f.assertionResults ?? []).every((a) => a.status !== 'failed')) {
      results.failed++
      log(`failed to run: ${f.name}: ${(f.message ?? '').split('\n')[0]}`)
    }
  }
  rmSync(file, { force: true })
}

async function dropRunDatabases () {
  const { loadPg } = await import('./lib/postgres.mjs')
  const pg = loadPg(root)
  const client = new pg.Client({ connectionString: new URL('/postgres', provisioned.adminDatabaseUrl).toString() })
  try {
    await client.connect()
    // only this run's databases, and only ever names starting robbie_test_
    const { rows } = await client.query('SELECT datname FROM pg_database WHERE datname LIKE $1', [`robbie_test_${run}_%`])
    for (const { datname } of rows) await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`)
  } catch (err) {
    log(`dropping test databases failed: ${err.message}`)
  } finally {
    await client.end().catch(() => {})
  }
}
