// SQL for users and invites (SPEC §2.2). Every method takes an optional client last (CONVENTIONS §3.8).
import type { Queryable } from '@robbie/db'
import type { Role } from '@robbie/contracts'

export type UserStatus = 'active' | 'invited' | 'disabled'
export interface UserRow {
  id: string
  email: string
  name: string
  role: Role
  status: UserStatus
  passwordHash: string | null
  timeZone: string
  failedLogins: number
  lockedUntil: Date | null
  version: number
  createdAt: Date
  updatedAt: Date
  lastLoginAt: Date | null
}
export interface InviteRow { id: string, userId: string, email: string, role: 'admin' | 'member', createdBy: string, expiresAt: Date, acceptedAt: Date | null }

const USER_COLUMNS = 'id, email, name, role, status, password_hash, time_zone, failed_logins, locked_until, version, created_at, updated_at, last_login_at'

interface UserDbRow {
  id: string,
  email: string,
  name: string,
  role: Role,
  status: UserStatus,
  password_hash: string | null,
  time_zone: string
  failed_logins: number,
  locked_until: Date | null,
  version: number,
  created_at: Date,
  updated_at: Date,
  last_login_at: Date | null
}
const toUser = (r: UserDbRow): UserRow => ({
  id: r.id,
  email: r.email,
  name: r.name,
  role: r.role,
  status: r.status,
  passwordHash: r.password_hash,
  timeZone: r.time_zone,
  failedLogins: r.failed_logins,
  lockedUntil: r.locked_until,
  version: r.version,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  lastLoginAt: r.last_login_at
})

export function createUsersRepository (pool: Queryable) {
  return {
    async findById (id: string, client: Queryable = pool, opts: { forUpdate?: boolean } = {}): Promise<UserRow | null> {
      const { rows } = await client.query<UserDbRow>(`SELECT ${USER_COLUMNS} FROM users WHERE id = $1${opts.forUpdate ? ' FOR UPDATE' : ''}`, [id])
      return rows[0] ? toUser(rows[0]) : null
    },
    async findByEmail (email: string, client: Queryable = pool, opts: { forUpdate?: boolean } = {}): Promise<UserRow | null> {
      const { rows } = await client.query<UserDbRow>(`SELECT ${USER_COLUMNS} FROM users WHERE lower(email) = lower($1)${opts.forUpdate ? ' FOR UPDATE' : ''}`, [email])
      return rows[0] ? toUser(rows[0]) : null
    },
    async findOwner (client: Queryable = pool): Promise<UserRow | null> {
      const { rows } = await client.query<UserDbRow>(`SELECT ${USER_COLUMNS} FROM users WHERE role = 'owner'`)
      return rows[0] ? toUser(rows[0]) : null
    },
    async insert (u: { id: string, email: string, name: string, role: Role, status: UserStatus, passwordHash: string | null, timeZone?: string, now: Date }, client: Queryable = pool): Promise<UserRow> {
      const { rows } = await client.query<UserDbRow>(
        `INSERT INTO users (id, email, name, role, status, password_hash, time_zone, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING ${USER_COLUMNS}`,
        [u.id, u.email, u.name, u.role, u.status, u.passwordHash, u.timeZone ?? 'UTC', u.now])
      return toUser(rows[0]!)
    },
    /** Sets the given fields and bumps the version. */
    async update (id: string, patch: { name?: string, role?: Role, status?: UserStatus, timeZone?: string, passwordHash?: string }, now: Date, client: Queryable = pool): Promise<UserRow> {
      const { rows } = await client.query<UserDbRow>(
        `UPDATE users SET name = COALESCE($2, name), role = COALESCE($3, role), status = COALESCE($4, status),
           time_zone = COALESCE($5, time_zone), password_hash = COALESCE($6, password_hash), version = version + 1, updated_at = $7
         WHERE id = $1 RETURNING ${USER_COLUMNS}`,
        [id, patch.name ?? null, patch.role ?? null, patch.status ?? null, patch.timeZone ?? null, patch.passwordHash ?? null, now])
      return toUser(rows[0]!)
    },
    async recordFailedLogin (id: string, lockAfter: number, lockUntil: Date, client: Queryable = pool): Promise<{ locked: boolean }> {
      const { rows } = await client.query<{ locked_until: Date | null }>(
        `UPDATE users SET
           locked_until = CASE WHEN failed_logins + 1 >= $2 THEN $3 ELSE locked_until END,
           failed_logins = CASE WHEN failed_logins + 1 >= $2 THEN 0 ELSE failed_logins + 1 END
         WHERE id = $1 RETURNING locked_until`, [id, lockAfter, lockUntil])
      return { locked: rows[0]?.locked_until?.getTime() === lockUntil.getTime() }
    },
    async recordLogin (id: string, now: Date, client: Queryable = pool): Promise<void> {
      await client.query('UPDATE users SET failed_logins = 0, locked_until = NULL, last_login_at = $2 WHERE id = $1', [id, now])
    },
    /** `?limit&cursor` in creation order (ids are UUIDv7). */
    async list (opts: { limit: number, after?: string }, client: Queryable = pool): Promise<UserRow[]> {
      const { rows } = await client.query<UserDbRow>(
        `SELECT ${USER_COLUMNS} FROM users WHERE ($1::uuid IS NULL OR id > $1) ORDER BY id LIMIT $2`, [opts.after ?? null, opts.limit])
      return rows.map(toUser)
    },
    async findByIds (ids: string[], client: Queryable = pool): Promise<UserRow[]> {
      const { rows } = await client.query<UserDbRow>(`SELECT ${USER_COLUMNS} FROM users WHERE id = ANY($1::uuid[]) ORDER BY id`, [ids])
      return rows.map(toUser)
    },
    /** Case-insensitive prefix of name or email. */
    async search (q: string, limit: number, client: Queryable = pool): Promise<UserRow[]> {
      const pattern = q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`) + '%'
      const { rows } = await client.query<UserDbRow>(
        `SELECT ${USER_COLUMNS} FROM users WHERE lower(name) LIKE $1 OR lower(email) LIKE $1 ORDER BY lower(name), id LIMIT $2`, [pattern, limit])
      return rows.map(toUser)
    },

    async insertInvite (i: { id: string, userId: string, email: string, role: 'admin' | 'member', tokenHash: Buffer, createdBy: string, now: Date, expiresAt: Date }, client: Queryable = pool): Promise<void> {
      await client.query(
        'INSERT INTO invites (id, user_id, email, role, token_hash, created_by, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
        [i.id, i.userId, i.email, i.role, i.tokenHash, i.createdBy, i.now, i.expiresAt])
    },
    /** A newer invite replaces the older ones of the same user. */
    async deleteOpenInvites (userId: string, client: Queryable = pool): Promise<void> {
      await client.query('DELETE FROM invites WHERE user_id = $1 AND accepted_at IS NULL', [userId])
    },
    async findInviteByTokenHash (tokenHash: Buffer, client: Queryable = pool): Promise<InviteRow | null> {
      const { rows } = await client.query<{ id: string, user_id: string, email: string, role: 'admin' | 'member', created_by: string, expires_at: Date, accepted_at: Date | null }>(
        'SELECT id, user_id, email, role, created_by, expires_at, accepted_at FROM invites WHERE token_hash = $1 FOR UPDATE', [tokenHash])
      const r = rows[0]
      return r ? { id: r.id, userId: r.user_id, email: r.email, role: r.role, createdBy: r.created_by, expiresAt: r.expires_at, acceptedAt: r.accepted_at } : null
    },
    async markInviteAccepted (id: string, now: Date, client: Queryable = pool): Promise<void> {
      await client.query('UPDATE invites SET accepted_at = $2 WHERE id = $1', [id, now])
    }
  }
}
export type UsersRepository = ReturnType<typeof createUsersRepository>
