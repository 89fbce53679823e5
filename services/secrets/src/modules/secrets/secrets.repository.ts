// SQL of the secrets schema (SPEC §5.1). Every method takes an optional client, passed inside transactions.
// Nothing here ever sees a plaintext value: only ciphertexts, wrapped DEKs and HMACs.
import type { Queryable } from '@robbie/db'

export type Scope = 'global' | 'company' | 'node'
export type Visibility = 'company' | 'owner'
export interface Address { service: string, name: string, scope: Scope, scopeId: string }
export interface SecretMetadata { description?: string, url?: string, ownerUserId?: string, tags?: string[] }

export interface SecretRow extends Address {
  id: string
  version: number
  managed: boolean
  visibility: Visibility
  metadata: SecretMetadata
  expiresAt: Date | null
  rotationIntervalDays: number | null
  rotationDueAt: Date | null
  createdBy: string
  createdAt: Date
  updatedAt: Date
  deletedAt: Date | null
}
export interface StoredVersion { ciphertext: Buffer | null, dekId: string, wrapped: Buffer | null, destroyedAt: Date | null }
export interface NewVersion { secretId: string, version: number, dekId: string, ciphertext: Buffer, wrapped: Buffer, masterKeyId: Buffer, valueHmac: Buffer | null, createdBy: string }

const COLUMNS = `s.id, s.service, s.name, s.scope, s.scope_id, s.current_version, s.managed, s.visibility, s.metadata, s.expires_at,
  s.rotation_interval_days, s.rotation_due_at, s.created_by, s.created_at, s.updated_at, s.deleted_at`
type Row = Record<string, unknown>
const toSecret = (r: Row): SecretRow => ({
  id: r.id as string,
  service: r.service as string,
  name: r.name as string,
  scope: r.scope as Scope,
  scopeId: r.scope_id as string,
  version: r.current_version as number,
  managed: r.managed as boolean,
  visibility: r.visibility as Visibility,
  metadata: r.metadata as SecretMetadata,
  expiresAt: r.expires_at as Date | null,
  rotationIntervalDays: r.rotation_interval_days as number | null,
  rotationDueAt: r.rotation_due_at as Date | null,
  createdBy: r.created_by as string,
  createdAt: r.created_at as Date,
  updatedAt: r.updated_at as Date,
  deletedAt: r.deleted_at as Date | null
})

export interface ListFilter { service?: string, scope?: Scope, expiringWithinDays?: number, includeDeleted?: boolean, limit: number, after?: string }

export function createSecretsRepository (pool: Queryable) {
  const q = (client?: Queryable) => client ?? pool
  return {
    async findLive (a: Address, client?: Queryable, lock = false): Promise<SecretRow | null> {
      const { rows } = await q(client).query(`SELECT ${COLUMNS} FROM secrets s
        WHERE s.service = $1 AND s.name = $2 AND s.scope = $3 AND s.scope_id = $4 AND s.deleted_at IS NULL ${lock ? 'FOR UPDATE' : ''}`,
      [a.service, a.name, a.scope, a.scopeId])
      return rows[0] ? toSecret(rows[0]) : null
    },
    async findLastDeleted (a: Address, client?: Queryable): Promise<SecretRow | null> {
      const { rows } = await q(client).query(`SELECT ${COLUMNS} FROM secrets s
        WHERE s.service = $1 AND s.name = $2 AND s.scope = $3 AND s.scope_id = $4 AND s.deleted_at IS NOT NULL
        ORDER BY s.deleted_at DESC LIMIT 1 FOR UPDATE`, [a.service, a.name, a.scope, a.scopeId])
      return rows[0] ? toSecret(rows[0]) : null
    },
    /** The winning live entry for a caller on `node` (null: no node): node → company → global. */
    async resolve (service: string, name: string, node: string | null, client?: Queryable): Promise<SecretRow | null> {
      const { rows } = await q(client).query(`SELECT ${COLUMNS} FROM secrets s
        WHERE s.service = $1 AND s.name = $2 AND s.deleted_at IS NULL
          AND (s.scope IN ('company', 'global') OR (s.scope = 'node' AND s.scope_id = $3))
        ORDER BY CASE s.scope WHEN 'node' THEN 0 WHEN 'company' THEN 1 ELSE 2 END, s.updated_at DESC LIMIT 1`, [service, name, node ?? ''])
      return rows[0] ? toSecret(rows[0]) : null
    },
    async list (f: ListFilter, client?: Queryable): Promise<SecretRow[]> {
      const where: string[] = []
      const params: unknown[] = []
      const add = (sql: string, value: unknown) => { params.push(value); where.push(sql.replace('?', `$${params.length}`)) }
      if (!f.includeDeleted) where.push('s.deleted_at IS NULL')
      if (f.service) add('s.service = ?', f.service)
      if (f.scope) add('s.scope = ?', f.scope)
      if (f.expiringWithinDays !== undefined) add('s.expires_at <= now() + make_interval(days => ?)', f.expiringWithinDays)
      if (f.after) add('s.id > ?', f.after)
      params.push(f.limit + 1)
      const { rows } = await q(client).query(`SELECT ${COLUMNS} FROM secrets s ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY s.id LIMIT $${params.length}`, params)
      return rows.map(toSecret)
    },
    async insertSecret (s: Omit<SecretRow, 'createdAt' | 'updatedAt' | 'deletedAt' | 'rotationDueAt'>, client?: Queryable): Promise<SecretRow> {
      const { rows } = await q(client).query(`INSERT INTO secrets AS s (id, service, name, scope, scope_id, current_version, managed, visibility, metadata,
          expires_at, rotation_interval_days, rotation_due_at, created_by, created_at, updated_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, now() + make_interval(days => $11), $12, now(), now())
        RETURNING ${COLUMNS}`,
      [s.id, s.service, s.name, s.scope, s.scopeId, s.version, s.managed, s.visibility, JSON.stringify(s.metadata), s.expiresAt, s.rotationIntervalDays, s.createdBy])
      return toSecret(rows[0]!)
    },
    async updateSecret (id: string, s: Pick<SecretRow, 'version' | 'managed' | 'visibility' | 'metadata' | 'expiresAt' | 'rotationIntervalDays'>, client?: Queryable): Promise<SecretRow> {
      const { rows } = await q(client).query(`UPDATE secrets AS s SET current_version = $2, managed = $3, visibility = $4, metadata = $5, expires_at = $6,
          rotation_interval_days = $7, rotation_due_at = now() + make_interval(days => $7), updated_at = now()
        WHERE id = $1 RETURNING ${COLUMNS}`,
      [id, s.version, s.managed, s.visibility, JSON.stringify(s.metadata), s.expiresAt, s.rotationIntervalDays])
      return toSecret(rows[0]!)
    },
    async setDeleted (id: string, deleted: boolean, client?: Queryable): Promise<SecretRow> {
      const { rows } = await q(client).query(`UPDATE secrets AS s SET deleted_at = ${deleted ? 'now()' : 'NULL'}, updated_at = now() WHERE id = $1 RETURNING ${COLUMNS}`, [id])
      return toSecret(rows[0]!)
    },
    async insertVersion (v: NewVersion, client?: Queryable): Promise<void> {
      await q(client).query('INSERT INTO data_keys (id, secret_id, version, wrapped, master_key_id, created_at) VALUES ($1, $2, $3, $4, $5, now())',
        [v.dekId, v.secretId, v.version, v.wrapped, v.masterKeyId])
      await q(client).query(`INSERT INTO secret_versions (secret_id, version, ciphertext, dek_id, value_hmac, created_by, created_at)
        VALUES ($1, $2, $3, $4, $5, $6, now())`, [v.secretId, v.version, v.ciphertext, v.dekId, v.valueHmac, v.createdBy])
    },
    /** Destroys every version of a secret older than `keepFrom` (or all of them): ciphertext and DEK erased. */
    async destroyVersions (secretId: string, keepFrom: number | null, client?: Queryable): Promise<number> {
      const { rowCount } = await q(client).query(`UPDATE secret_versions SET ciphertext = NULL, value_hmac = NULL, destroyed_at = now()
        WHERE secret_id = $1 AND destroyed_at IS NULL AND ($2::int IS NULL OR version < $2)`, [secretId, keepFrom])
      await q(client).query(`UPDATE data_keys SET wrapped = NULL, destroyed_at = now()
        WHERE secret_id = $1 AND destroyed_at IS NULL AND ($2::int IS NULL OR version < $2)`, [secretId, keepFrom])
      return rowCount ?? 0
    },
    async loadVersion (secretId: string, version: number, client?: Queryable): Promise<StoredVersion | null> {
      const { rows } = await q(client).query<{ ciphertext: Buffer | null, dek_id: string, wrapped: Buffer | null, destroyed_at: Date | null }>(
        `SELECT v.ciphertext, v.dek_id, k.wrapped, v.destroyed_at FROM secret_versions v JOIN data_keys k ON k.id = v.dek_id
         WHERE v.secret_id = $1 AND v.version = $2`, [secretId, version])
      const r = rows[0]
      return r ? { ciphertext: r.ciphertext, dekId: r.dek_id, wrapped: r.wrapped, destroyedAt: r.destroyed_at } : null
    },
    async listVersions (secretId: string, client?: Queryable): Promise<Array<{ version: number, createdAt: Date, createdBy: string, destroyed: boolean }>> {
      const { rows } = await q(client).query<{ version: number, created_at: Date, created_by: string, destroyed_at: Date | null }>(
        'SELECT version, created_at, created_by, destroyed_at FROM secret_versions WHERE secret_id = $1 ORDER BY version DESC', [secretId])
      return rows.map((r) => ({ version: r.version, createdAt: r.created_at, createdBy: r.created_by, destroyed: r.destroyed_at !== null }))
    },
    /** Which of these HMACs equal a current version's value_hmac of a live secret. */
    async matchingHmacs (hmacs: Buffer[], client?: Queryable): Promise<Buffer[]> {
      if (hmacs.length === 0) return []
      const { rows } = await q(client).query<{ value_hmac: Buffer }>(`SELECT DISTINCT v.value_hmac FROM secret_versions v
        JOIN secrets s ON s.id = v.secret_id AND s.current_version = v.version AND s.deleted_at IS NULL
        WHERE v.destroyed_at IS NULL AND v.value_hmac = ANY($1::bytea[])`, [hmacs])
      return rows.map((r) => r.value_hmac)
    },
    async countDataKeys (client?: Queryable): Promise<number> {
      const { rows } = await q(client).query<{ n: string }>('SELECT count(*) AS n FROM data_keys WHERE destroyed_at IS NULL')
      return Number(rows[0]?.n ?? 0)
    },
    /** Secrets deleted before `before` whose versions still exist: the 30-day purge. */
    async deletedBefore (before: Date, limit: number, client?: Queryable): Promise<string[]> {
      const { rows } = await q(client).query<{ id: string }>(`SELECT s.id FROM secrets s WHERE s.deleted_at < $1
        AND EXISTS (SELECT 1 FROM secret_versions v WHERE v.secret_id = s.id AND v.destroyed_at IS NULL) LIMIT $2`, [before, limit])
      return rows.map((r) => r.id)
    }
  }
}
export type SecretsRepository = ReturnType<typeof createSecretsRepository>
