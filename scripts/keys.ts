// `npm run robbie -- create-key --user <email> --name <name> --scopes a,b [--days 90]` and
// `npm run robbie -- revoke-key <id>`: API keys from the operator's shell (SPEC §2.3), straight on auth's
// table as auth's runtime role, audited (actor system:cli) and announced like the API does.
//   env: DATABASE_URL (auth's runtime role) or ROBBIE_ADMIN_DATABASE_URL + ROBBIE_DB_NAME; ROBBIE_RUN_DIR;
//   REDIS_URL, ROBBIE_REDIS_PREFIX (revocation reaches every service through Redis)
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { generateApiKey, isScope, ROLE_SCOPES, type Role } from '@robbie/contracts'
import { createPool, withTransaction } from '@robbie/db'
import { createOutbox, createRedis } from '@robbie/bus'
import { createAudit } from '@robbie/service-kit'
import { roleUrl } from './lib/db-roles.mjs'
import { keyHmac, readKeyFile } from '../services/auth/src/modules/keys/index.js'
import { createKeysRepository } from '../services/auth/src/modules/keys/keys.repository.js'
import { apiKeyCreated, apiKeyRevoked } from '../services/auth/src/modules/keys/keys.events.js'
import { announceRevoked, markRevoked } from '../services/auth/src/modules/keys/revocation.js'

const env = process.env
const runDir = resolve(env.ROBBIE_RUN_DIR || join(import.meta.dirname, '..', '.run'))
const keysDir = join(runDir, 'keys')
const CLI = { type: 'system' as const, id: 'cli' }

function databaseUrl (): string {
  if (env.DATABASE_URL) return env.DATABASE_URL
  const url = new URL(roleUrl(env.ROBBIE_ADMIN_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres', env.ROBBIE_DB_NAME || 'robbie', 'robbie_auth', runDir))
  if (env.ROBBIE_DB_PASSWORD_AUTH) url.password = env.ROBBIE_DB_PASSWORD_AUTH
  return url.toString()
}

async function createKey (args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { user: { type: 'string' }, name: { type: 'string' }, scopes: { type: 'string' }, days: { type: 'string', default: '90' } } })
  const scopes = [...new Set((values.scopes ?? '').split(',').map((s) => s.trim()).filter(Boolean))]
  const days = Number(values.days)
  if (!values.user || !values.name || values.name.length > 80 || scopes.length === 0 || !Number.isInteger(days) || days < 1 || days > 365) {
    throw new Error('usage: create-key --user <email> --name <1–80 chars> --scopes a,b [--days 1–365]')
  }
  const unknown = scopes.filter((s) => !isScope(s))
  if (unknown.length > 0) throw new Error(`unknown scope(s): ${unknown.join(', ')}`)
  const pool = createPool({ connectionString: databaseUrl(), schema: 'auth', applicationName: 'robbie-cli', max: 2 })
  try {
    const { rows } = await pool.query<{ id: string, role: Role, status: string }>('SELECT id, role, status FROM users WHERE lower(email) = lower($1)', [values.user])
    const user = rows[0]
    if (!user || user.status !== 'active') throw new Error(`no active user ${values.user}`)
    const beyond = scopes.filter((s) => !(ROLE_SCOPES[user.role] as readonly string[]).includes(s))
    if (beyond.length > 0) throw new Error(`the ${user.role} role does not grant: ${beyond.join(', ')}`)
    const minted = generateApiKey('pat')
    const hmac = keyHmac(readKeyFile(join(keysDir, 'apikey-pepper')), minted.key)
    const audit = createAudit({ service: 'auth', pool, hmacKeyFile: join(keysDir, 'audit-hmac') })
    const expiresAt = new Date(Date.now() + days * 86_400_000)
    await withTransaction(pool, async (client) => {
      await createKeysRepository(client).insert({ id: minted.id, type: 'pat', userId: user.id, name: values.name!, scopes, keyHmac: hmac, expiresAt }, client)
      await audit.record(client, { action: 'auth.apikey.create', outcome: 'success', resourceType: 'api_key', resourceId: audit.hmac(`apikey:${minted.id}`), details: { scopes, expiresAt: expiresAt.toISOString() }, actor: CLI, onBehalfOf: user.id })
      await createOutbox({ producer: 'auth' }).add(client, { ...apiKeyCreated(minted.id, user.id, user.id), actor: CLI })
    })
    console.log(`key ${minted.id} for ${values.user} (${scopes.join(', ')}), expires ${expiresAt.toISOString()}`)
    console.log('shown once, store it now:')
    console.log(minted.key)
  } finally {
    await pool.end()
  }
}

async function revokeKey (args: string[]): Promise<void> {
  const id = args[0]
  if (!id || args.length !== 1 || !/^[0-9A-Za-z]{12}$/.test(id)) throw new Error('usage: revoke-key <id> (the 12 characters after robbie_<type>_)')
  const pool = createPool({ connectionString: databaseUrl(), schema: 'auth', applicationName: 'robbie-cli', max: 2 })
  const redis = createRedis({ url: env.REDIS_URL || 'redis://127.0.0.1:6379', prefix: env.ROBBIE_REDIS_PREFIX || 'robbie:', name: 'robbie-cli' })
  try {
    await redis.ready(2000).catch(() => {})
    const audit = createAudit({ service: 'auth', pool, hmacKeyFile: join(keysDir, 'audit-hmac') })
    const revoked = await withTransaction(pool, async (client) => {
      const ids = await createKeysRepository(client).revoke([id], client)
      if (ids.length === 0) return false
      await audit.record(client, { action: 'auth.apikey.revoke', outcome: 'success', resourceType: 'api_key', resourceId: audit.hmac(`apikey:${id}`), actor: CLI })
      await createOutbox({ producer: 'auth' }).add(client, apiKeyRevoked(id, CLI))
      return true
    })
    if (!revoked) throw new Error(`no live key ${id}`)
    try {
      await markRevoked(redis, [id])
      await announceRevoked(redis, [id])
      console.log(`key ${id} revoked everywhere`)
    } catch {
      console.log(`key ${id} revoked; Redis unreachable, so services may accept it from their cache for up to 30 s`)
    }
  } finally {
    await redis.close()
    await pool.end()
  }
}

const [command, ...rest] = process.argv.slice(2)
const run = command === 'create' ? createKey : command === 'revoke' ? revokeKey : null
if (!run) {
  console.error('scripts/keys.ts: create | revoke')
  process.exit(2)
}
run(rest).catch((err: Error) => {
  console.error(err.message)
  process.exit(1)
})
