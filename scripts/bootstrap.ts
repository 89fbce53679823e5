// The key bootstrap of SPEC §11.6: `npm run robbie -- bootstrap [--rotate jwt]`, also step (f) of npm start.
// Idempotent: writes only the key files that are missing (folder 0700, files 0600, created with O_EXCL so a
// concurrent run never overwrites a key) and never changes a byte of one that exists. Key material goes to
// files only: never to stdout, Postgres, Redis or logs.
//   env: ROBBIE_RUN_DIR (default <repo>/.run), ROBBIE_PRODUCTION=true (no secrets master key), fleet env; for the
//   service keys' HMAC rows (SPEC §2.3) either DATABASE_URL (auth's runtime role, as compose passes it) or
//   ROBBIE_ADMIN_DATABASE_URL + ROBBIE_DB_NAME (as npm start passes them; auth's role URL is derived from it).
import { createHash, generateKeyPairSync, randomBytes, type JsonWebKey } from 'node:crypto'
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { generateApiKey, parseApiKey } from '@robbie/contracts'
import { createPool } from '@robbie/db'
import { readFleet } from './lib/fleet.mjs'
import { roleUrl } from './lib/db-roles.mjs'
import { insertServiceKeyHmacs, readKeyFile } from '../services/auth/src/modules/keys/index.js'

export interface SigningKey { kid: string, createdAt: string, privateJwk: JsonWebKey, publicJwk: JsonWebKey }
export interface ServiceKey { service: string, id: string, key: string, file: string, created: boolean }
export interface BootstrapResult {
  keysDir: string
  written: string[] // file names created by this run
  kept: string[] // file names that existed and were left alone
  /**
   * Every service's key (new and kept). The seam for auth's HMAC rows (SPEC §2.3): a caller stores
   * HMAC-SHA-256(pepper, key) under `id` for each entry, insert-if-missing, so a fresh database gets rows for
   * keys that already exist on disk.
   */
  serviceKeys: ServiceKey[]
}

/** An Ed25519 key pair as JWKs; `kid` is the RFC 7638 thumbprint of the public key. */
export function newSigningKey (now = new Date()): SigningKey {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519')
  const pub = publicKey.export({ format: 'jwk' })
  const thumbprint = JSON.stringify({ crv: pub.crv, kty: pub.kty, x: pub.x }) // members in lexical order
  const kid = createHash('sha256').update(thumbprint).digest('base64url')
  return {
    kid,
    createdAt: now.toISOString(),
    privateJwk: { ...privateKey.export({ format: 'jwk' }), kid, alg: 'EdDSA', use: 'sig' },
    publicJwk: { ...pub, kid, alg: 'EdDSA', use: 'sig' }
  }
}

const random32 = (): string => randomBytes(32).toString('base64')

/** Writes `content` only if `file` is missing (0600, exclusive create). → true when written. */
function writeIfMissing (file: string, content: () => string): boolean {
  if (existsSync(file)) return false
  try {
    writeFileSync(file, content(), { mode: 0o600, flag: 'wx' })
    return true
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false // another run was faster
    throw err
  }
}

export function bootstrapKeys ({ runDir, services, production = false }: { runDir: string, services: string[], production?: boolean }): BootstrapResult {
  const keysDir = join(runDir, 'keys')
  mkdirSync(keysDir, { recursive: true, mode: 0o700 })
  chmodSync(keysDir, 0o700) // also when an older run (or another tool) made it with a wider mode
  const result: BootstrapResult = { keysDir, written: [], kept: [], serviceKeys: [] }
  const file = (name: string, content: () => string): void => {
    (writeIfMissing(join(keysDir, name), content) ? result.written : result.kept).push(name)
  }

  file('jwt-signing.json', () => JSON.stringify({ keys: [newSigningKey()] }, null, 2) + '\n')
  file('apikey-pepper', random32)
  file('audit-hmac', random32)
  file('audit-checkpoint.json', () => JSON.stringify(newSigningKey(), null, 2) + '\n')
  // Production supplies its own master key; a generated one would silently seal away every secret on a new host.
  if (!production) file('secrets-master.key', random32)

  for (const service of services) {
    const name = `svc-${service}.key`
    file(name, () => generateApiKey('svc').key)
    const path = join(keysDir, name)
    const key = readFileSync(path, 'utf8').trim()
    const parsed = parseApiKey(key)
    if (parsed?.type !== 'svc') throw new Error(`${path} does not hold a valid service key: delete it and run the bootstrap again`)
    result.serviceKeys.push({ service, id: parsed.id, key, file: path, created: result.written.includes(name) })
  }
  return result
}

/** `--rotate jwt`: a new current signing key first, the previous one kept for tokens still in flight. */
export function rotateJwt (runDir: string): SigningKey {
  const path = join(runDir, 'keys', 'jwt-signing.json')
  const { keys } = JSON.parse(readFileSync(path, 'utf8')) as { keys: SigningKey[] }
  const next = newSigningKey()
  const tmp = `${path}.${process.pid}.tmp`
  writeFileSync(tmp, JSON.stringify({ keys: [next, ...keys.slice(0, 1)] }, null, 2) + '\n', { mode: 0o600, flag: 'wx' })
  renameSync(tmp, path) // auth re-reads the file: it must never see half of it
  return next
}

/** auth's runtime role on the fleet database, or null when no database was named (a keys-only run). */
function authDatabaseUrl (env: NodeJS.ProcessEnv, runDir: string): string | null {
  if (env.DATABASE_URL) return env.DATABASE_URL
  if (!env.ROBBIE_ADMIN_DATABASE_URL) return null
  const url = new URL(roleUrl(env.ROBBIE_ADMIN_DATABASE_URL, env.ROBBIE_DB_NAME || 'robbie', 'robbie_auth', runDir))
  // production passes role passwords in the environment, as scripts/setup-db.ts reads them
  if (env.ROBBIE_DB_PASSWORD_AUTH) url.password = env.ROBBIE_DB_PASSWORD_AUTH
  return url.toString()
}

/** Inserts each service key's HMAC row (auth.api_keys) when missing; idempotent. */
export async function insertServiceKeyRows (databaseUrl: string, result: BootstrapResult): Promise<{ inserted: string[], revoked: string[] }> {
  const pepper = readKeyFile(join(result.keysDir, 'apikey-pepper'))
  const pool = createPool({ connectionString: databaseUrl, schema: 'auth', applicationName: 'bootstrap', max: 1 })
  try {
    return await insertServiceKeyHmacs(pool, pepper, result.serviceKeys)
  } finally {
    await pool.end()
  }
}

async function main (): Promise<void> {
  const rootDir = resolve(import.meta.dirname, '..')
  const runDir = resolve(process.env.ROBBIE_RUN_DIR || join(rootDir, '.run'))
  const args = process.argv.slice(2)
  if (args[0] === '--rotate') {
    if (args[1] !== 'jwt') throw new Error(`bootstrap --rotate: only "jwt" can be rotated (got ${args[1] ?? 'nothing'})`)
    const key = rotateJwt(runDir)
    console.log(`bootstrap: new JWT signing key ${key.kid} is current; the previous one is kept`)
    return
  }
  if (args.length > 0) throw new Error(`bootstrap: unknown arguments ${args.join(' ')} (usage: bootstrap [--rotate jwt])`)
  const services = readFleet(rootDir, process.env).services.map((s) => s.name)
  const production = process.env.ROBBIE_PRODUCTION === 'true'
  const result = bootstrapKeys({ runDir, services, production })
  console.log(`bootstrap: keys in ${result.keysDir}`)
  if (result.written.length > 0) console.log(`  wrote ${result.written.join(', ')}`)
  if (result.kept.length > 0) console.log(`  kept  ${result.kept.length} existing file(s)${result.written.length ? '' : ' (nothing to do)'}`)
  if (result.written.includes('secrets-master.key')) {
    const line = '!'.repeat(78)
    console.log([line,
      `!! A new secrets master key was written to ${join(result.keysDir, 'secrets-master.key')}.`,
      '!! BACK IT UP somewhere safe, apart from the database backups: without it every stored',
      '!! secret is lost for good. It is never stored in Postgres, Redis or any backup.',
      line].join('\n'))
  }
  if (production) console.log('  ROBBIE_PRODUCTION=true: no secrets master key written; supply ROBBIE_SECRETS_MASTER_KEY_FILE')
  const databaseUrl = authDatabaseUrl(process.env, runDir)
  if (databaseUrl) {
    const rows = await insertServiceKeyRows(databaseUrl, result)
    console.log(`  service keys: ${rows.inserted.length} HMAC row(s) inserted${rows.revoked.length ? `, ${rows.revoked.length} replaced key(s) revoked` : ''}`)
  } else {
    console.log('  no database named (DATABASE_URL or ROBBIE_ADMIN_DATABASE_URL): service key rows not inserted')
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().catch((err: Error) => {
    console.error(err.message)
    process.exit(1)
  })
}
