// SQL for refresh-token sessions (SPEC §2.1). A family is one login; its id is the access tokens' `sid`.
import type { Queryable } from '@robbie/db'

export type RevokeReason = 'rotated' | 'logout' | 'logout_all' | 'password_change' | 'role_change' | 'disabled' | 'reuse' | 'deleted'
export interface SessionRow {
  id: string
  userId: string
  familyId: string
  createdAt: Date
  lastUsedAt: Date
  idleExpiresAt: Date
  expiresAt: Date
  revokedAt: Date | null
  revokedReason: RevokeReason | null
  replacedBy: string | null
  ip: string | null
  userAgent: string | null
}

const COLUMNS = 'id, user_id, family_id, created_at, last_used_at, idle_expires_at, expires_at, revoked_at, revoked_reason, replaced_by, ip, user_agent'
interface DbRow {
  id: string,
  user_id: string,
  family_id: string,
  created_at: Date,
  last_used_at: Date,
  idle_expires_at: Date,
  expires_at: Date
  revoked_at: Date | null,
  revoked_reason: RevokeReason | null,
  replaced_by: string | null,
  ip: string | null,
  user_agent: string | null
}
const toSession = (r: DbRow): SessionRow => ({
  id: r.id,
  userId: r.user_id,
  familyId: r.family_id,
  createdAt: r.created_at,
  lastUsedAt: r.last_used_at,
  idleExpiresAt: r.idle_expires_at,
  expiresAt: r.expires_at,
  revokedAt: r.revoked_at,
  revokedReason: r.revoked_reason,
  replacedBy: r.replaced_by,
  ip: r.ip,
  userAgent: r.user_agent
})

export function createSessionsRepository (pool: Queryable) {
  return {
    async insert (s: { id: string, userId: string, familyId: string, refreshHash: Buffer, now: Date, idleExpiresAt: Date, expiresAt: Date, ip?: string | null, userAgent?: string | null }, client: Queryable = pool): Promise<void> {
      await client.query(
        `INSERT INTO sessions (id, user_id, family_id, refresh_hash, created_at, last_used_at, idle_expires_at, expires_at, ip, user_agent)
         VALUES ($1, $2, $3, $4, $5, $5, $6, $7, $8, $9)`,
        [s.id, s.userId, s.familyId, s.refreshHash, s.now, s.idleExpiresAt, s.expiresAt, s.ip?.slice(0, 64) ?? null, s.userAgent?.slice(0, 512) ?? null])
    },
    /** Locks the row: two concurrent refreshes of one token serialise here. */
    async findByHash (refreshHash: Buffer, client: Queryable = pool): Promise<SessionRow | null> {
      const { rows } = await client.query<DbRow>(`SELECT ${COLUMNS} FROM sessions WHERE refresh_hash = $1 FOR UPDATE`, [refreshHash])
      return rows[0] ? toSession(rows[0]) : null
    },
    async findById (id: string, client: Queryable = pool): Promise<SessionRow | null> {
      const { rows } = await client.query<DbRow>(`SELECT ${COLUMNS} FROM sessions WHERE id = $1 FOR UPDATE`, [id])
      return rows[0] ? toSession(rows[0]) : null
    },
    async markRotated (id: string, replacedBy: string, now: Date, client: Queryable = pool): Promise<void> {
      await client.query('UPDATE sessions SET revoked_at = $3, revoked_reason = \'rotated\', replaced_by = $2, last_used_at = $3 WHERE id = $1', [id, replacedBy, now])
    },
    /** Revokes the live rows of a family → true when one was live. */
    async revokeFamily (familyId: string, reason: RevokeReason, now: Date, client: Queryable = pool, userId?: string): Promise<boolean> {
      const result = await client.query(
        'UPDATE sessions SET revoked_at = $3, revoked_reason = $2 WHERE family_id = $1 AND revoked_at IS NULL AND ($4::uuid IS NULL OR user_id = $4)',
        [familyId, reason, now, userId ?? null])
      return (result.rowCount ?? 0) > 0
    },
    /** Revokes every live session of a user except one family → the family ids revoked. */
    async revokeUser (userId: string, reason: RevokeReason, now: Date, client: Queryable = pool, exceptFamily?: string): Promise<string[]> {
      const { rows } = await client.query<{ family_id: string }>(
        `UPDATE sessions SET revoked_at = $3, revoked_reason = $2
         WHERE user_id = $1 AND revoked_at IS NULL AND ($4::uuid IS NULL OR family_id <> $4) RETURNING family_id`,
        [userId, reason, now, exceptFamily ?? null])
      return [...new Set(rows.map((r) => r.family_id))]
    },
    /** The live (current) row of each of a user's families that has not expired. */
    async listLive (userId: string, now: Date, client: Queryable = pool): Promise<SessionRow[]> {
      const { rows } = await client.query<DbRow>(
        `SELECT ${COLUMNS} FROM sessions WHERE user_id = $1 AND revoked_at IS NULL AND idle_expires_at > $2 AND expires_at > $2
         ORDER BY created_at DESC LIMIT 200`, [userId, now])
      return rows.map(toSession)
    }
  }
}
export type SessionsRepository = ReturnType<typeof createSessionsRepository>
