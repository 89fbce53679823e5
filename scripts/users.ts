// Accounts from the command line, with auth's own services (no SQL of its own):
//   node --import tsx scripts/users.ts create-owner
//     the owner from ROBBIE_OWNER_EMAIL / ROBBIE_OWNER_PASSWORD / ROBBIE_OWNER_NAME (defaults owner@robbie.local,
//     a generated password printed once, "Owner"); does nothing when an owner exists. Step (i) of npm start.
//   node --import tsx scripts/users.ts create-user --email <email> --role admin|member [--name <name>] [--password <pw>]
//     (`npm run robbie -- create-user …`); a generated password is printed once.
// Connects as auth's runtime role: DATABASE_URL when set, else derived like npm start does for the services from
// ROBBIE_ADMIN_DATABASE_URL (default: local Postgres on 5432, else the embedded one), ROBBIE_DB_NAME, ROBBIE_RUN_DIR.
import { randomBytes } from 'node:crypto'
import { readFileSync, rmSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { createPool, type Pool } from '@robbie/db'
import { createOutbox } from '@robbie/bus'
import { createAudit, createServiceClient, serviceUrlVar } from '@robbie/service-kit'
import { rolePassword, roleUrl, runtimeRole } from './lib/db-roles.mjs'
import { createUsersRepository } from '../services/auth/src/modules/users/users.repository.js'
import { createUsersService } from '../services/auth/src/modules/users/users.service.js'
import { createSessionsRepository } from '../services/auth/src/modules/sessions/sessions.repository.js'
import { createCompanyRepository } from '../services/auth/src/modules/company/company.repository.js'
import { createSetupRepository } from '../services/auth/src/modules/setup/setup.repository.js'
import { createSetupService } from '../services/auth/src/modules/setup/setup.service.js'
import type { Caller } from '../services/auth/src/modules/sessions/audit.js'
import { SAMPLE_SERVICES } from '../services/auth/src/modules/sample/sample.routes.js'

const env = process.env
const root = resolve(import.meta.dirname, '..')
const runDir = resolve(env.ROBBIE_RUN_DIR || join(root, '.run'))
const dbName = env.ROBBIE_DB_NAME || 'robbie'
const EMAIL_RE = /^[^\s@]{1,64}@[^\s@]{1,189}\.[^\s@]{2,}$/
const caller: Caller = { actor: { type: 'system', id: 'robbie-cli' } }

async function answers (url: string): Promise<boolean> {
  const probe = createPool({ connectionString: url, schema: 'auth', applicationName: 'auth:cli', max: 1 })
  try { await probe.query('SELECT 1 FROM users LIMIT 1'); return true } catch { return false } finally { await probe.end().catch(() => {}) }
}

/** auth's runtime-role URL: the one npm start gives the auth service. */
async function authDatabaseUrl (): Promise<string> {
  if (env.DATABASE_URL) return env.DATABASE_URL
  const admins = env.ROBBIE_ADMIN_DATABASE_URL
    ? [env.ROBBIE_ADMIN_DATABASE_URL]
    : ['postgres://postgres@127.0.0.1:5432/postgres',
        `postgres://postgres:${encodeURIComponent(rolePassword(runDir, 'postgres'))}@127.0.0.1:${env.ROBBIE_EMBEDDED_PG_PORT || 54329}/postgres`]
  for (const admin of admins) {
    const url = roleUrl(admin, dbName, runtimeRole('auth'), runDir)
    if (await answers(url)) return url
  }
  throw new Error(`auth's database ${dbName} does not answer: is the fleet running (npm start)?`)
}

function services (pool: Pool) {
  const audit = createAudit({ service: 'auth', pool, hmacKeyFile: env.ROBBIE_AUDIT_HMAC_KEY_FILE || undefined })
  const outbox = createOutbox({ producer: 'auth' })
  const users = createUsersRepository(pool)
  const clock = () => new Date()
  const unused = () => { throw new Error('not available from the command line') }
  const usersService = createUsersService({
    pool,
    users,
    sessions: createSessionsRepository(pool),
    audit,
    outbox,
    clock,
    // creating accounts needs neither sessions nor the denylist
    sessionsService: { startFamily: unused, grant: unused },
    denylist: { deny: async () => true, available: async () => true }
  })
  const setup = createSetupService({ pool, repo: createSetupRepository(pool), users, usersService, company: createCompanyRepository(pool), audit, outbox, clock })
  return { users, usersService, setup }
}

const generatedPassword = () => randomBytes(18).toString('base64url')

function checkPassword (password: string): void {
  if (password.length < 12 || password.length > 256) throw new Error('the password must have 12–256 characters')
}

async function createOwner (pool: Pool): Promise<void> {
  const { users, setup } = services(pool)
  const existing = await users.findOwner()
  if (!existing) {
    const email = env.ROBBIE_OWNER_EMAIL || 'owner@robbie.local'
    const password = env.ROBBIE_OWNER_PASSWORD || generatedPassword()
    if (!EMAIL_RE.test(email)) throw new Error(`ROBBIE_OWNER_EMAIL is not an email address: ${email}`)
    checkPassword(password)
    try {
      await setup.createOwner({ email, name: env.ROBBIE_OWNER_NAME || 'Owner', password }, caller)
      console.log(`Owner account created. Log in as ${email} with password ${env.ROBBIE_OWNER_PASSWORD ? '(ROBBIE_OWNER_PASSWORD)' : password}` +
        (env.ROBBIE_OWNER_PASSWORD ? '' : '\n  (shown once: change it under Settings, or set ROBBIE_OWNER_PASSWORD)'))
    } catch (err) {
      if ((err as { code?: string }).code !== 'AUTH_ALREADY_SET_UP') throw err // a concurrent run was first: fine
    }
  } else {
    console.log(`Owner account: ${existing.email}`)
  }
  // With an owner, the first-run setup code is void: do not leave it lying around.
  if (env.ROBBIE_SETUP_CODE_FILE) rmSync(env.ROBBIE_SETUP_CODE_FILE, { force: true })
  if (env.ROBBIE_SAMPLE_DATA === 'true') await loadSampleData((await users.findOwner())!.id)
}

/** ROBBIE_SAMPLE_DATA=true (SPEC §11.6): each service's idempotent share, called as auth like the owner's button does. */
async function loadSampleData (ownerUserId: string): Promise<void> {
  const keyFile = env.ROBBIE_SERVICE_KEY_FILE || join(runDir, 'keys', 'svc-auth.key')
  for (const service of SAMPLE_SERVICES) {
    const baseUrl = env[serviceUrlVar(service)]
    if (!baseUrl) continue
    const client = createServiceClient({ caller: 'auth', baseUrl, serviceKey: readFileSync(keyFile, 'utf8').trim(), timeoutMs: 30_000 })
    const res = await client.request<unknown>('POST', `/internal/${service}/sample-data`, { body: { ownerUserId } })
    console.log(res.status === 200 ? `  sample data: ${service} ${JSON.stringify(res.body)}` : `  sample data: ${service} failed (HTTP ${res.status}): ${JSON.stringify(res.body)}`)
    if (res.status !== 200) process.exitCode = 1
  }
}

async function createUser (pool: Pool, args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { email: { type: 'string' }, role: { type: 'string' }, name: { type: 'string' }, password: { type: 'string' } } })
  const { email, role } = values
  if (!email || !EMAIL_RE.test(email)) throw new Error('--email <address> is required')
  if (role !== 'admin' && role !== 'member') throw new Error('--role admin|member is required (the owner comes from create-owner)')
  const { users, usersService } = services(pool)
  const existing = await users.findByEmail(email)
  if (existing) {
    console.log(`A user with this email exists: ${existing.email} (${existing.role}, ${existing.status})`)
    return
  }
  const password = values.password ?? generatedPassword()
  checkPassword(password)
  const user = await usersService.createActiveUser({ email, name: values.name ?? email.split('@')[0]!, role, password }, undefined, caller)
  console.log(`Created ${user.role} ${user.email}${values.password ? '' : ` with password ${password} (shown once)`}`)
}

const [command, ...rest] = process.argv.slice(2)
if (command !== 'create-owner' && command !== 'create-user') {
  console.error('usage: users.ts create-owner | create-user --email <email> --role admin|member [--name <name>] [--password <pw>]')
  process.exit(2)
}
let pool: Pool | undefined
try {
  pool = createPool({ connectionString: await authDatabaseUrl(), schema: 'auth', applicationName: 'auth:cli' })
  if (command === 'create-owner') await createOwner(pool)
  else await createUser(pool, rest)
} catch (err) {
  console.error(`${command} failed: ${(err as Error).message}`)
  process.exitCode = 1
} finally {
  await pool?.end()
}
