// The keyring (SPEC §5.2): the master key (and, while rotating, the previous one) in process memory only.
// It never generates a key. Without a usable key the service is sealed: no key, a key of the wrong length,
// a key whose check value differs from the recorded one, or a live DEK that neither key can unwrap. While
// sealed, every route but healthz, readyz, seal-status and unseal answers 503 SECRETS_SEALED.
import { readFileSync } from 'node:fs'
import type { FastifyInstance } from 'fastify'
import type { Pool } from '@robbie/db'
import { ConfigError } from '@robbie/service-kit'
import { checkMatches, checkValue, parseMasterKey, redactKey, type MasterKey } from '../modules/secrets/envelope.js'
import { KeyMismatch, NotSealed, SecretsSealed } from '../modules/secrets/secrets.errors.js'

export type SealReason = 'missing_key' | 'bad_key_length' | 'key_mismatch'
type Parsed = { ok: true, key: MasterKey } | { ok: false, reason: 'missing_key' | 'bad_key_length' }

export interface KeyringConfig {
  ROBBIE_SECRETS_MASTER_KEY_FILE?: string
  ROBBIE_SECRETS_MASTER_KEY?: string
  ROBBIE_SECRETS_MASTER_KEY_PREVIOUS_FILE?: string
  ROBBIE_SECRETS_MASTER_KEY_PREVIOUS?: string
}

/** One key from a file or a value; both set is a configuration error (SPEC §5.2). A missing file seals. */
function readKey (file: string | undefined, value: string | undefined, name: string): Parsed {
  if (file !== undefined && value !== undefined) throw new ConfigError([`${name}_FILE and ${name}: set one of them, not both`])
  let text = value
  if (file !== undefined) {
    try { text = readFileSync(file, 'utf8') } catch { text = undefined }
  }
  if (text === undefined || text.trim() === '') return { ok: false, reason: 'missing_key' }
  return parseMasterKey(text)
}

export interface KeyMaterial { configured: Parsed, configuredPrevious: Parsed }

/** Reads the configured keys (call before anything is opened: both variants set throws ConfigError). */
export function loadKeyMaterial (c: KeyringConfig): KeyMaterial {
  return {
    configured: readKey(c.ROBBIE_SECRETS_MASTER_KEY_FILE, c.ROBBIE_SECRETS_MASTER_KEY, 'ROBBIE_SECRETS_MASTER_KEY'),
    configuredPrevious: readKey(c.ROBBIE_SECRETS_MASTER_KEY_PREVIOUS_FILE, c.ROBBIE_SECRETS_MASTER_KEY_PREVIOUS, 'ROBBIE_SECRETS_MASTER_KEY_PREVIOUS')
  }
}

export function createKeyring (opts: { pool: Pick<Pool, 'query'>, material: KeyMaterial, log?: { warn: (obj: object, msg: string) => void } }) {
  const { configured, configuredPrevious } = opts.material
  if (!configuredPrevious.ok && configuredPrevious.reason === 'bad_key_length') opts.log?.warn({}, 'the previous master key is not base64 of 32 bytes: ignored')

  let current: MasterKey | null = null
  let previous: MasterKey | null = configuredPrevious.ok ? configuredPrevious.key : null
  let reason: SealReason | undefined = configured.ok ? undefined : configured.reason
  let redactKeys: Buffer[] = []
  let loading: Promise<void> | undefined
  let loaded = false

  /**
   * Is `candidate` this store's master key? Yes when its check value is recorded, or when the store is empty
   * (the first key is recorded then), or when it is new and the previous key is a recorded one (a rotation:
   * the new key is recorded). Every live DEK must name the candidate or the previous key.
   */
  async function verify (candidate: MasterKey): Promise<boolean> {
    const checks = (await opts.pool.query<{ key_id: Buffer, check_value: Buffer }>('SELECT key_id, check_value FROM master_key_checks')).rows
    const recorded = (k: MasterKey) => checks.find((r) => r.key_id.equals(k.id))
    const own = recorded(candidate)
    if (own && !checkMatches(candidate, own.check_value)) return false
    const prevRow = previous ? recorded(previous) : undefined
    if (previous && (!prevRow || !checkMatches(previous, prevRow.check_value))) {
      opts.log?.warn({ previousKeyId: previous.id.toString('hex') }, 'the previous master key is not a recorded key of this store: ignored')
      previous = null
    }
    const liveKeyIds = (await opts.pool.query<{ master_key_id: Buffer }>('SELECT DISTINCT master_key_id FROM data_keys WHERE destroyed_at IS NULL')).rows
    if (!own) {
      const first = checks.length === 0 && liveKeyIds.length === 0
      if (!first && !previous) return false
    }
    const usable = [candidate.id, ...(previous ? [previous.id] : [])]
    if (!liveKeyIds.every((r) => usable.some((id) => id.equals(r.master_key_id)))) return false
    if (!own) {
      await opts.pool.query('INSERT INTO master_key_checks (key_id, check_value, first_seen_at) VALUES ($1, $2, now()) ON CONFLICT (key_id) DO NOTHING',
        [candidate.id, checkValue(candidate)])
    }
    return true
  }

  function accept (key: MasterKey): void {
    current = key
    reason = undefined
    redactKeys = [redactKey(key), ...(previous ? [redactKey(previous)] : [])]
  }

  const keyring = {
    /** Checks the configured key against the database once; retried on the next call if the database was away. */
    async ensureLoaded (): Promise<void> {
      if (loaded) return
      loading ??= (async () => {
        if (configured.ok) {
          if (await verify(configured.key)) accept(configured.key)
          else reason = 'key_mismatch'
        }
        loaded = true
        if (reason) opts.log?.warn({ reason }, 'secrets service sealed: no usable master key')
      })().finally(() => { loading = undefined })
      await loading
    },
    get sealed (): boolean { return current === null },
    status () {
      return {
        sealed: current === null,
        ...(reason ? { reason } : {}),
        masterKeyId: current ? current.id.toString('hex') : (configured.ok ? configured.key.id.toString('hex') : null),
        ...(previous ? { previousKeyId: previous.id.toString('hex') } : {})
      }
    },
    /** The key new DEKs are wrapped with; throws SECRETS_SEALED while sealed. */
    current (): MasterKey {
      if (!current) throw new SecretsSealed()
      return current
    },
    previous: (): MasterKey | null => previous,
    /** The key a wrapped DEK names, current or previous. */
    byId (id: Buffer): MasterKey | undefined {
      if (current?.id.equals(id)) return current
      if (previous?.id.equals(id)) return previous
      return undefined
    },
    /** value_hmac keys: the current key's first; the previous key's too until a rotation retires it. */
    redactKeys: (): Buffer[] => redactKeys,
    /** POST /unseal: the key is held in this process's memory only. */
    async unseal (text: string): Promise<MasterKey> {
      if (current) throw new NotSealed()
      const parsed = parseMasterKey(text)
      if (!parsed.ok || !(await verify(parsed.key))) throw new KeyMismatch()
      accept(parsed.key)
      loaded = true
      return parsed.key
    },
    /** After a completed re-wrap nothing names the previous key any more: stop using it. */
    retirePrevious (): void {
      previous = null
      if (current) redactKeys = [redactKey(current)]
    }
  }
  return keyring
}
export type Keyring = ReturnType<typeof createKeyring>

declare module 'fastify' {
  interface FastifyInstance { keyring: Keyring }
}

/** Routes that answer while sealed (SPEC §5.2); everything else is 503 SECRETS_SEALED. */
const OPEN_WHILE_SEALED = new Set(['/api/secrets/healthz', '/api/secrets/readyz', '/api/secrets/seal-status', '/api/secrets/unseal', '/metrics'])

/**
 * Infrastructure plugin (not encapsulated, like fastify-plugin's fp()): decorates app.keyring and adds the
 * sealed check as a global onRequest hook. Registered after createService, so it runs after the kit's
 * authentication: an anonymous caller still gets 401 first.
 */
async function keyringPlugin (app: FastifyInstance, opts: { keyring: Keyring }): Promise<void> {
  app.decorate('keyring', opts.keyring)
  app.addHook('onRequest', async (request) => {
    const url = request.routeOptions.url
    if (url === undefined || OPEN_WHILE_SEALED.has(url)) return
    await opts.keyring.ensureLoaded()
    if (opts.keyring.sealed) throw new SecretsSealed()
  })
  app.addHook('onReady', async () => {
    await opts.keyring.ensureLoaded().catch((err: unknown) => { app.log.warn({ err }, 'master key not checked yet: the database is unreachable') })
  })
}
Object.assign(keyringPlugin, { [Symbol.for('skip-override')]: true, [Symbol.for('fastify.display-name')]: 'secrets-keyring' })
export const keyring = keyringPlugin
