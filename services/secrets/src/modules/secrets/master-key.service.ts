// Seal status, unseal and the online master-key rotation (SPEC §5.2, §5.3). Rotation re-wraps every DEK still
// under another key with the current one, in small batches, while reads and writes go on: a reader unwraps with
// whichever key its DEK names, and the previous key stays in memory until the last DEK has moved. Each batch's
// crypto runs before its short transaction; an UPDATE only lands if the DEK still names the key it was read
// under. value_hmacs move to the new key's redaction key in the same UPDATE, so matching keeps working.
import type { FastifyBaseLogger, FastifyRequest } from 'fastify'
import { uuidv7, type Identity } from '@robbie/contracts'
import { withTransaction, type Pool } from '@robbie/db'
import type { Outbox } from '@robbie/bus'
import type { Audit, Jobs } from '@robbie/service-kit'
import type { Keyring } from '../../plugins/keyring.js'
import { decryptValue, unwrapDataKey, valueHmac, wrapDataKey } from './envelope.js'
import { NoPreviousKey } from './secrets.errors.js'
import { masterKeyRotated } from './secrets.events.js'
import type { SecretsRepository } from './secrets.repository.js'

const BATCH = 200
export const REWRAP_JOB = 'master-key-rewrap'

interface DekRow { id: string, wrapped: Buffer, master_key_id: Buffer, secret_id: string, version: number, ciphertext: Buffer | null, has_hmac: boolean, service: string, name: string, scope: string, scope_id: string }

export function createMasterKeyService (deps: {
  pool: Pool
  keyring: Keyring
  repo: Pick<SecretsRepository, 'countDataKeys'>
  audit: Pick<Audit, 'record'>
  outbox: Pick<Outbox, 'add'>
  jobs: Pick<Jobs, 'schedule' | 'runOnce'>
  log: FastifyBaseLogger
}) {
  let progress: { jobId: string, done: number, total: number, running: boolean } | null = null
  let inFlight: Promise<unknown> | undefined
  let stopping = false

  async function rewrapAll (log: FastifyBaseLogger): Promise<Record<string, number>> {
    const current = deps.keyring.current()
    const { rows: [count] } = await deps.pool.query<{ n: string }>('SELECT count(*) AS n FROM data_keys WHERE destroyed_at IS NULL AND master_key_id <> $1', [current.id])
    const state = progress!
    state.total = Number(count?.n ?? 0)
    let after = '00000000-0000-0000-0000-000000000000'
    let rewrapped = 0
    let failed = 0
    while (!stopping) {
      const { rows } = await deps.pool.query<DekRow>(`SELECT k.id, k.wrapped, k.master_key_id, v.secret_id, v.version, v.ciphertext, v.value_hmac IS NOT NULL AS has_hmac,
          s.service, s.name, s.scope, s.scope_id
        FROM data_keys k JOIN secret_versions v ON v.dek_id = k.id JOIN secrets s ON s.id = v.secret_id
        WHERE k.destroyed_at IS NULL AND k.master_key_id <> $1 AND k.id > $2 ORDER BY k.id LIMIT $3`, [current.id, after, BATCH])
      if (rows.length === 0) break
      after = rows[rows.length - 1]!.id
      const updates: Array<{ row: DekRow, wrapped: Buffer, hmac: Buffer | null }> = []
      for (const row of rows) {
        try {
          const dek = unwrapDataKey((id) => deps.keyring.byId(id), row.id, row.wrapped)
          let hmac: Buffer | null = null
          if (row.has_hmac && row.ciphertext) {
            const value = decryptValue(dek, row.id, { secretId: row.secret_id, version: row.version, service: row.service, name: row.name, scope: row.scope, scopeId: row.scope_id }, row.ciphertext)
            hmac = valueHmac(deps.keyring.redactKeys()[0]!, value)
          }
          updates.push({ row, wrapped: wrapDataKey(current, row.id, dek), hmac })
          dek.fill(0)
        } catch {
          failed++ // a DEK that does not open stays where it is; the old key is then not retired
          log.warn({ dekId: row.id }, 'a data key could not be re-wrapped')
        }
      }
      await withTransaction(deps.pool, async (client) => {
        for (const u of updates) {
          const { rowCount } = await client.query('UPDATE data_keys SET wrapped = $2, master_key_id = $3 WHERE id = $1 AND master_key_id = $4 AND destroyed_at IS NULL',
            [u.row.id, u.wrapped, current.id, u.row.master_key_id])
          if (rowCount && u.hmac) await client.query('UPDATE secret_versions SET value_hmac = $3 WHERE secret_id = $1 AND version = $2 AND value_hmac IS NOT NULL', [u.row.secret_id, u.row.version, u.hmac])
          rewrapped += rowCount ?? 0
        }
      })
      state.done = Math.min(state.total, state.done + rows.length)
    }
    if (stopping) return { rewrapped, failed, stopped: 1 }
    const keyId = current.id.toString('hex')
    await withTransaction(deps.pool, async (client) => {
      await deps.audit.record(client, { action: 'secrets.masterkey.rotated', outcome: failed === 0 ? 'success' : 'failed', resourceType: 'master-key', resourceId: keyId, actor: { type: 'system', id: null }, details: { jobId: state.jobId, rewrapped, failed } })
      if (failed === 0) await deps.outbox.add(client, masterKeyRotated(keyId, rewrapped))
    })
    if (failed === 0) deps.keyring.retirePrevious() // nothing names the old key any more
    state.done = state.total
    return { rewrapped, failed }
  }

  deps.jobs.schedule({
    name: REWRAP_JOB,
    everyMs: 0, // on demand only: POST /master-key/rotate
    run: async ({ log }) => {
      try { return await rewrapAll(log) } finally { if (progress) progress.running = false }
    }
  })

  return {
    async status () {
      return {
        ...deps.keyring.status(),
        dataKeys: await deps.repo.countDataKeys(),
        ...(progress ? { rewrap: { done: progress.done, total: progress.total } } : {})
      }
    },
    async unseal (identity: Identity, key: string, request?: FastifyRequest) {
      const record = async (outcome: 'success' | 'failed', details: Record<string, unknown>) => await withTransaction(deps.pool, async (client) =>
        await deps.audit.record(client, { action: 'secrets.unseal', outcome, resourceType: 'master-key', details }, request))
      try {
        const accepted = await deps.keyring.unseal(key)
        await record('success', { keyId: accepted.id.toString('hex') })
      } catch (err) {
        await record('failed', { code: (err as { code?: string }).code ?? 'SECRETS_INTERNAL' }) // never the key
        throw err
      }
      deps.log.info({ by: identity.id }, 'secrets service unsealed')
      return await this.status()
    },
    /** Starts the re-wrap in the background; a second call while it runs answers the same job. */
    async rotate (request?: FastifyRequest): Promise<{ jobId: string }> {
      deps.keyring.current() // sealed → 503
      if (!deps.keyring.previous()) throw new NoPreviousKey()
      if (progress?.running) return { jobId: progress.jobId }
      progress = { jobId: uuidv7(), done: 0, total: 0, running: true }
      const jobId = progress.jobId
      await withTransaction(deps.pool, async (client) => await deps.audit.record(client, {
        action: 'secrets.masterkey.rotate', outcome: 'success', resourceType: 'master-key', resourceId: deps.keyring.current().id.toString('hex'), details: { jobId, previousKeyId: deps.keyring.previous()!.id.toString('hex') }
      }, request))
      inFlight = deps.jobs.runOnce(REWRAP_JOB)
        .then((outcome) => { if (outcome === 'skipped' && progress) progress.running = false })
        .catch((err: unknown) => { deps.log.warn({ err }, 'master-key re-wrap failed'); if (progress) progress.running = false })
      return { jobId }
    },
    /** Waits for a running re-wrap (tests, shutdown). */
    async settle (): Promise<void> { await inFlight },
    async stop (): Promise<void> { stopping = true; await inFlight }
  }
}
export type MasterKeyService = ReturnType<typeof createMasterKeyService>
