// SQL of the api_keys table (SPEC §2.3). Every method takes an optional client, passed inside transactions.
import type { Queryable } from '@robbie/db'
import type { Role } from '@robbie/contracts'

export interface KeyRow {
  id: string
  type: 'pat' | 'svc'
  userId: string | null
  serviceName: string | null
  nodeName: string | null
  name: string
  scopes: string[]
  createdAt: Date
  expiresAt: Date | null
  lastUsedAt: Date | null
  lastUsedIp: string | null
  revokedAt: Date | null
  rotatedFrom: string | null
  graceUntil: Date | null
}
/** A key with what verification needs: its HMAC and its user's current role and status. */
export interface KeyForCheck extends KeyRow { keyHmac: Buffer, userRole: Role | null, userStatus: string | null }

export interface NewKeyRow {
  id: string
  type: 'pat' | 'svc'
  userId?: string | null
  serviceName?: string | null
  nodeName?: string | null
  name: string
  scopes: string[]
  keyHmac: Buffer
  expiresAt?: Date | null
  rotatedFrom?: string | null
}

const COLUMNS = `k.id, k.type, k.user_id, k.service_name, k.node_name, k.name, k.scopes, k.created_at, k.expires_at,
  k.last_used_at, k.last_used_ip, k.revoked_at, k.rotated_from, k.grace_until`

type Row = Record<string, unknown>
const toKey = (r: Row): KeyRow => ({
  id: r.id as string,
  type: r.type as 'pat' | 'svc',
  userId: r.user_id as string | null,
  serviceName: r.service_name as string | null,
  nodeName: r.node_name as string | null,
  name: r.name as string,
  scopes: r.scopes as string[],
  createdAt: r.created_at as Date,
  expiresAt: r.expires_at as Date | null,
  lastUsedAt: r.last_used_at as Date | null,
  lastUsedIp: r.last_used_ip as string | null,
  revokedAt: r.revoked_at as Date | null,
  rotatedFrom: r.rotated_from as string | null,
  graceUntil: r.grace_until as Date | null
})

export function createKeysRepository (pool: Queryable) {
  return {
    async insert (row: NewKeyRow, client: Queryable = pool): Promise<KeyRow> {
      const { rows } = await client.query(
        `INSERT INTO api_keys AS k (id, type, user_id, service_name, node_name, name, scopes, key_hmac, expires_at, rotated_from)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING ${COLUMNS}`,
        [row.id, row.type, row.userId ?? null, row.serviceName ?? null, row.nodeName ?? null, row.name, row.scopes, row.keyHmac,
          row.expiresAt ?? null, row.rotatedFrom ?? null])
      return toKey(rows[0]!)
    },

    async findForCheck (id: string, client: Queryable = pool): Promise<KeyForCheck | null> {
      const { rows } = await client.query(
        `SELECT ${COLUMNS}, k.key_hmac, u.role AS user_role, u.status AS user_status
         FROM api_keys k LEFT JOIN users u ON u.id = k.user_id WHERE k.id = $1`, [id])
      const r = rows[0] as Row | undefined
      return r ? { ...toKey(r), keyHmac: r.key_hmac as Buffer, userRole: r.user_role as Role | null, userStatus: r.user_status as string | null } : null
    },

    async findById (id: string, client: Queryable = pool): Promise<(KeyRow & { userRole: Role | null }) | null> {
      const { rows } = await client.query(
        `SELECT ${COLUMNS}, u.role AS user_role FROM api_keys k LEFT JOIN users u ON u.id = k.user_id WHERE k.id = $1`, [id])
      const r = rows[0] as Row | undefined
      return r ? { ...toKey(r), userRole: r.user_role as Role | null } : null
    },

    /** Throttled: at most one write a minute per key, whatever the request rate. */
    async touch (id: string, ip: string | null, client: Queryable = pool): Promise<void> {
      await client.query(
        `UPDATE api_keys SET last_used_at = now(), last_used_ip = $2
         WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')`, [id, ip])
    },

    /** A user's personal keys, newest first; `after` is the last row of the previous page. */
    /** The role of a user (null when there is no such user): whose keys an admin may see. */
    async userRole (userId: string, client: Queryable = pool): Promise<Role | null> {
      const { rows } = await client.query<{ role: Role }>('SELECT role FROM users WHERE id = $1', [userId])
      return rows[0]?.role ?? null
    },
    async listByUser (userId: string, limit: number, after: { createdAt: string, id: string } | null, client: Queryable = pool): Promise<KeyRow[]> {
      const { rows } = await client.query(
        `SELECT ${COLUMNS} FROM api_keys k
         WHERE k.user_id = $1 AND ($3::timestamptz IS NULL OR (k.created_at, k.id) < ($3::timestamptz, $4::text))
         ORDER BY k.created_at DESC, k.id DESC LIMIT $2`, [userId, limit, after?.createdAt ?? null, after?.id ?? null])
      return rows.map(toKey)
    },

    /** Marks keys revoked; returns the ids that were live. */
    async revoke (ids: string[], client: Queryable = pool): Promise<string[]> {
      if (ids.length === 0) return []
      const { rows } = await client.query<{ id: string }>(
        'UPDATE api_keys SET revoked_at = now() WHERE id = ANY($1::text[]) AND revoked_at IS NULL RETURNING id', [ids])
      return rows.map((r) => r.id)
    },

    async revokeAllOfUser (userId: string, client: Queryable = pool): Promise<string[]> {
      const { rows } = await client.query<{ id: string }>(
        'UPDATE api_keys SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL RETURNING id', [userId])
      return rows.map((r) => r.id)
    },

    async liveNodeKeyIds (nodeName: string, client: Queryable = pool): Promise<string[]> {
      const { rows } = await client.query<{ id: string }>(
        'SELECT id FROM api_keys WHERE node_name = $1 AND revoked_at IS NULL FOR UPDATE', [nodeName])
      return rows.map((r) => r.id)
    },

    /** Starts a rotated key's grace; false when it was revoked or already rotated meanwhile. */
    async startGrace (id: string, until: Date, client: Queryable = pool): Promise<boolean> {
      const { rowCount } = await client.query(
        'UPDATE api_keys SET grace_until = $2 WHERE id = $1 AND revoked_at IS NULL AND grace_until IS NULL', [id, until])
      return rowCount === 1
    }
  }
}
export type KeysRepository = ReturnType<typeof createKeysRepository>
