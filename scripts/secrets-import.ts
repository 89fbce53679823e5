// `npm run robbie -- secrets-import --file <path> --service <svc> [--scope global|company|node --scope-id …] [--dry-run]`:
// a .env file into the secrets vault (SPEC §5), one secret per key, through the secrets service's own layer (the
// same envelope encryption, versions, audit and secrets.secret.updated.v1 as the API), audited as system:cli.
// Prints names and versions, never a value, also when a line is refused (line numbers only).
//   KEY=VALUE, optional `export ` prefix, '…' (literal) and "…" (\n \t \" \\ escapes) quoting, either of which may
//   span lines; # comments on their own line or after an unquoted value (` #`); blank lines. A key maps to a secret
//   name by lowercasing (`SMTP_PASSWORD` → `smtp_password`), checked against SPEC §5.1's name rule.
//   env: DATABASE_URL (secrets' runtime role) or ROBBIE_ADMIN_DATABASE_URL + ROBBIE_DB_NAME (default robbie) +
//   ROBBIE_RUN_DIR (default .run), as `npm start` gives the secrets service; ROBBIE_SECRETS_MASTER_KEY_FILE
//   (default <run dir>/keys/secrets-master.key); ROBBIE_AUDIT_HMAC_KEY_FILE (default <run dir>/keys/audit-hmac).
import { existsSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { createPool, type Pool } from '@robbie/db'
import { createHints, createOutbox, createRedis } from '@robbie/bus'
import { createAudit } from '@robbie/service-kit'
import { roleUrl } from './lib/db-roles.mjs'
import { createKeyring, loadKeyMaterial } from '../services/secrets/src/plugins/keyring.js'
import { valueHmac } from '../services/secrets/src/modules/secrets/envelope.js'
import { ownerIdentity } from '../services/secrets/src/modules/secrets/access.js'
import { createSecretsRepository } from '../services/secrets/src/modules/secrets/secrets.repository.js'
import { createSecretsCache } from '../services/secrets/src/modules/secrets/secrets.cache.js'
import { createSecretsService } from '../services/secrets/src/modules/secrets/secrets.service.js'

export const SERVICE_RE = /^[a-z0-9][a-z0-9-]{0,39}$/
export const NAME_RE = /^[a-z0-9][a-z0-9_.-]{0,79}$/
const KEY_RE = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/
const MAX_VALUE_BYTES = 65536

export interface EnvEntry { key: string, name: string, value: string, line: number }
export class EnvFileError extends Error {
  constructor (readonly problems: string[]) { super(`the file was not imported:\n${problems.map((p) => `  - ${p}`).join('\n')}`) }
}

const ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', '"': '"', '\\': '\\', $: '$' }

/**
 * Parses a .env text. Every problem is collected with its line number and the key when there is one; no message
 * ever quotes a value (a malformed line may hold one).
 */
export function parseEnvFile (text: string): EnvEntry[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/)
  const entries: EnvEntry[] = []
  const problems: string[] = []
  const seen = new Map<string, number>()
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1
    const raw = lines[i]!
    const trimmed = raw.trim()
    if (trimmed === '' || trimmed.startsWith('#')) continue
    const body = trimmed.replace(/^export\s+/, '')
    const eq = body.indexOf('=')
    const key = eq > 0 ? body.slice(0, eq).trim() : ''
    if (eq <= 0 || !KEY_RE.test(key)) { problems.push(`line ${lineNo}: not KEY=VALUE`); continue }
    let rest = body.slice(eq + 1).replace(/^[ \t]+/, '')
    let value: string
    const quote = rest[0]
    if (quote === '"' || quote === "'") {
      // the closing quote may be on a later line (PEM blocks and the like)
      let buf = rest.slice(1)
      let end = findClose(buf, quote)
      const first = i
      while (end < 0 && i + 1 < lines.length) { i++; buf += '\n' + lines[i]!; end = findClose(buf, quote) }
      if (end < 0) { problems.push(`line ${first + 1}: ${key}: the quote is never closed`); continue }
      const tail = buf.slice(end + 1).trim()
      if (tail !== '' && !tail.startsWith('#')) { problems.push(`line ${lineNo}: ${key}: text after the closing quote`); continue }
      const inner = buf.slice(0, end)
      value = quote === "'" ? inner : inner.replace(/\\(.)/gs, (m: string, c: string) => ESCAPES[c] ?? m)
    } else {
      const hash = rest.search(/\s#/)
      if (hash >= 0) rest = rest.slice(0, hash)
      value = rest.trim()
      if (/["'`]/.test(value[0] ?? '')) { problems.push(`line ${lineNo}: ${key}: unbalanced quote`); continue }
    }
    const name = key.toLowerCase()
    if (!NAME_RE.test(name)) { problems.push(`line ${lineNo}: ${key}: "${name}" is not a valid secret name (${NAME_RE.source})`); continue }
    if (value.length === 0) { problems.push(`line ${lineNo}: ${key}: the value is empty (secrets hold 1 byte – 64 KiB)`); continue }
    if (Buffer.byteLength(value) > MAX_VALUE_BYTES) { problems.push(`line ${lineNo}: ${key}: the value is over 64 KiB`); continue }
    const before = seen.get(name)
    if (before !== undefined) { problems.push(`line ${lineNo}: ${key}: the name ${name} was already set on line ${before}`); continue }
    seen.set(name, lineNo)
    entries.push({ key, name, value, line: lineNo })
  }
  if (problems.length > 0) throw new EnvFileError(problems)
  return entries
}

/** Index of the unescaped closing quote, or -1. Single quotes take no escapes. */
function findClose (s: string, quote: string): number {
  for (let j = 0; j < s.length; j++) {
    if (quote === '"' && s[j] === '\\') { j++; continue }
    if (s[j] === quote) return j
  }
  return -1
}

export interface ImportArgs { file: string, service: string, scope: 'global' | 'company' | 'node', scopeId: string, dryRun: boolean }

export function parseImportArgs (args: string[]): ImportArgs {
  const usage = 'usage: secrets-import --file <path> --service <svc> [--scope global|company|node --scope-id <id>] [--dry-run]'
  const { values } = parseArgs({
    args,
    options: { file: { type: 'string' }, service: { type: 'string' }, scope: { type: 'string', default: 'global' }, 'scope-id': { type: 'string' }, 'dry-run': { type: 'boolean', default: false } }
  })
  const { file, service, scope } = values
  const scopeId = values['scope-id'] ?? ''
  if (!file || !service) throw new Error(usage)
  if (!SERVICE_RE.test(service)) throw new Error(`--service must match ${SERVICE_RE.source}`)
  if (scope !== 'global' && scope !== 'company' && scope !== 'node') throw new Error(usage)
  if (scope === 'global' && scopeId !== '') throw new Error('--scope global takes no --scope-id')
  if (scope !== 'global' && !/^[a-z0-9][a-z0-9._-]{0,99}$/.test(scopeId)) throw new Error(`--scope ${scope} needs --scope-id (the ${scope === 'company' ? 'company slug' : 'node name'})`)
  return { file, service, scope, scopeId, dryRun: values['dry-run'] }
}

const CLI_ACTOR = { type: 'system' as const, id: 'cli' }
/** The identity the service layer sees: owner rights (the operator holds the master key anyway); created_by = system:cli. */
const CLI_IDENTITY = ownerIdentity('system:cli')

function databaseUrl (runDir: string): string {
  const env = process.env
  if (env.DATABASE_URL) return env.DATABASE_URL
  return roleUrl(env.ROBBIE_ADMIN_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres', env.ROBBIE_DB_NAME || 'robbie', 'robbie_secrets', runDir)
}

/**
 * True when the live entry's current version already holds `value`, judged by its value_hmac, so no plaintext
 * is read back. Only values of 8–4 096 characters have one (SPEC §5.1): others always get a new version.
 */
async function unchanged (pool: Pool, redactKey: Buffer | undefined, secretId: string, version: number, value: string): Promise<boolean> {
  const chars = [...value].length
  if (!redactKey || chars < 8 || chars > 4096) return false
  const { rows } = await pool.query<{ value_hmac: Buffer | null }>(
    'SELECT value_hmac FROM secret_versions WHERE secret_id = $1 AND version = $2 AND destroyed_at IS NULL', [secretId, version])
  const stored = rows[0]?.value_hmac
  return stored != null && stored.equals(valueHmac(redactKey, value))
}

export async function main (argv: string[]): Promise<void> {
  const env = process.env
  const args = parseImportArgs(argv)
  const runDir = resolve(env.ROBBIE_RUN_DIR || join(import.meta.dirname, '..', '.run'))
  // Read and check the whole file before anything is written: a bad line imports nothing.
  const entries = parseEnvFile(readFileSync(args.file, 'utf8'))
  const where = args.scope === 'global' ? 'global' : `${args.scope} ${args.scopeId}`
  if (args.dryRun) {
    for (const e of entries) console.log(`would import ${args.service}/${e.name} (${where})  from ${e.key}, line ${e.line}`)
    console.log(`dry run: ${entries.length} secret(s) would be written; nothing was written`)
    return
  }
  // the key from the environment, else the file the bootstrap step writes for local runs
  const keyFile = env.ROBBIE_SECRETS_MASTER_KEY ? undefined : (env.ROBBIE_SECRETS_MASTER_KEY_FILE || join(runDir, 'keys', 'secrets-master.key'))
  const hmacFile = env.ROBBIE_AUDIT_HMAC_KEY_FILE || join(runDir, 'keys', 'audit-hmac')
  const pool = createPool({ connectionString: databaseUrl(runDir), schema: 'secrets', applicationName: 'secrets:cli', max: 2 })
  // Redis only to evict the running fleet's caches after each write (as the API does); unreachable is fine.
  const redis = createRedis({ url: env.REDIS_URL || 'redis://127.0.0.1:6379', prefix: env.ROBBIE_REDIS_PREFIX || 'robbie:', name: 'secrets-cli' })
  const hints = createHints({ redis })
  try {
    await redis.ready(2000).catch(() => { console.error('note: Redis is unreachable; running secrets services see the new versions within 60 s') })
    // the same variables as the service (the previous key too, so an import during a rotation works)
    const keyring = createKeyring({
      pool,
      material: loadKeyMaterial({
        ROBBIE_SECRETS_MASTER_KEY_FILE: keyFile,
        ROBBIE_SECRETS_MASTER_KEY: env.ROBBIE_SECRETS_MASTER_KEY || undefined,
        ROBBIE_SECRETS_MASTER_KEY_PREVIOUS_FILE: env.ROBBIE_SECRETS_MASTER_KEY_PREVIOUS_FILE || undefined,
        ROBBIE_SECRETS_MASTER_KEY_PREVIOUS: env.ROBBIE_SECRETS_MASTER_KEY_PREVIOUS || undefined
      })
    })
    await keyring.ensureLoaded()
    if (keyring.sealed) throw new Error(`no usable master key (${keyring.status().reason ?? 'sealed'}): set ROBBIE_SECRETS_MASTER_KEY_FILE or put it at ${join(runDir, 'keys', 'secrets-master.key')}`)
    const audit = createAudit({ service: 'secrets', pool, hmacKeyFile: existsSync(hmacFile) ? hmacFile : undefined })
    const repo = createSecretsRepository(pool)
    const secrets = createSecretsService({
      pool,
      repo,
      keyring,
      outbox: createOutbox({ producer: 'secrets' }),
      // every row of this run is the command line's, whatever identity the service layer was given
      audit: { record: async (client, entry, request) => await audit.record(client, { ...entry, actor: CLI_ACTOR }, request) },
      cache: createSecretsCache({ redis, hints })
    })
    const counts = { written: 0, unchanged: 0 }
    for (const e of entries) {
      const address = { service: args.service, name: e.name, scope: args.scope, scopeId: args.scopeId }
      const live = await repo.findLive(address)
      if (live && await unchanged(pool, keyring.redactKeys()[0], live.id, live.version, e.value)) {
        counts.unchanged++
        console.log(`unchanged ${args.service}/${e.name} (${where}) version ${live.version}`)
        continue
      }
      const { created, secret } = await secrets.put(CLI_IDENTITY, address, { value: e.value })
      counts.written++
      console.log(`${created ? 'created' : 'updated'} ${args.service}/${e.name} (${where}) version ${secret.version}`)
    }
    console.log(`imported ${entries.length} secret(s) into ${args.service}: ${counts.written} written, ${counts.unchanged} unchanged`)
  } finally {
    await hints.close().catch(() => {})
    await redis.close().catch(() => {})
    await pool.end()
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    await main(process.argv.slice(2))
  } catch (err) {
    // messages name keys, lines and codes only: never a value (see parseEnvFile)
    const code = (err as { code?: string }).code
    console.error(`secrets-import failed: ${(err as Error).message}${code && !String((err as Error).message).includes(code) ? ` (${code})` : ''}`)
    process.exitCode = 1
  }
}
