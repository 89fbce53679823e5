// Login, refresh-token rotation with reuse detection, logout, the caller's own profile and sessions (SPEC §2.1).
// Hashing and signing happen outside transactions; each transaction holds the change, its audit row and event.
import { withTransaction, type Pool, type PoolClient } from '@robbie/db'
import { genericError } from '@robbie/service-kit'
import { uuidv7, type Identity, type Role } from '@robbie/contracts'
import type { Outbox } from '@robbie/bus'
import type { TokenSigner } from '../../tokens/index.js'
import type { UsersRepository, UserRow } from '../users/users.repository.js'
import { userUpdated } from '../users/users.events.js'
import type { SessionsRepository, SessionRow } from './sessions.repository.js'
import { userActor, type Audit, type Caller } from './audit.js'
import type { Denylist } from './denylist.js'
import { hashPassword, verifyPassword } from './password.js'
import { ABSOLUTE_TTL_MS, IDLE_TTL_MS, REUSE_GRACE_MS, newSecretToken, sha256 } from './refresh-token.js'
import { AccountDisabled, AccountLocked, InvalidCredentials, RefreshInvalid, RefreshReused } from './sessions.errors.js'

export const LOCK_AFTER_FAILURES = 5
export const LOCK_MS = 15 * 60_000

export interface SessionGrant {
  accessToken: string
  expiresIn: number
  user: { id: string, email: string, name: string, role: Role }
  refreshToken: string
  /** seconds until the family's absolute expiry: the cookie's Max-Age */
  refreshMaxAgeS: number
}

export interface SessionsDeps {
  pool: Pool
  users: UsersRepository
  sessions: SessionsRepository
  audit: Audit
  outbox: Pick<Outbox, 'add'>
  signer: Pick<TokenSigner, 'signAccessToken'>
  denylist: Denylist
  clock: () => Date
}

export const publicUser = (u: UserRow) => ({ id: u.id, email: u.email, name: u.name, role: u.role })

export const profile = (u: UserRow) => ({
  id: u.id,
  email: u.email,
  name: u.name,
  role: u.role,
  status: u.status,
  timeZone: u.timeZone,
  createdAt: u.createdAt.toISOString(),
  lastLoginAt: u.lastLoginAt?.toISOString() ?? null
})

export function createSessionsService (deps: SessionsDeps) {
  const { pool, users, sessions, audit, denylist, clock } = deps

  /** Starts a new family for `user` inside the caller's transaction; sign with grant() after COMMIT. */
  async function startFamily (client: PoolClient, user: UserRow, caller: Caller) {
    const now = clock()
    const refreshToken = newSecretToken()
    const familyId = uuidv7(now.getTime())
    const expiresAt = new Date(now.getTime() + ABSOLUTE_TTL_MS)
    await sessions.insert({
      id: familyId, // the first row's id is the family's id
      userId: user.id,
      familyId,
      refreshHash: sha256(refreshToken),
      now,
      idleExpiresAt: new Date(now.getTime() + IDLE_TTL_MS),
      expiresAt,
      ip: caller.ip ?? null,
      userAgent: caller.userAgent ?? null
    }, client)
    return { familyId, refreshToken, expiresAt }
  }

  async function grant (user: UserRow, family: { familyId: string, refreshToken: string, expiresAt: Date }): Promise<SessionGrant> {
    const { token, expiresIn } = await deps.signer.signAccessToken({ sub: user.id, role: user.role, sid: family.familyId })
    return {
      accessToken: token,
      expiresIn,
      user: publicUser(user),
      refreshToken: family.refreshToken,
      refreshMaxAgeS: (family.expiresAt.getTime() - clock().getTime()) / 1000
    }
  }

  async function loginFailed (reason: string, caller: Caller, user?: UserRow): Promise<void> {
    await withTransaction(pool, async (client) => {
      if (user && reason === 'wrong_password') {
        await users.recordFailedLogin(user.id, LOCK_AFTER_FAILURES, new Date(clock().getTime() + LOCK_MS), client)
      }
      await audit.record(client, { action: 'auth.login', outcome: 'failed', resourceType: 'user', ...(user ? { resourceId: user.id } : {}), details: { reason } }, caller.request)
    })
  }

  return {
    startFamily,
    grant,

    async login (input: { email: string, password: string }, caller: Caller): Promise<SessionGrant> {
      const user = await users.findByEmail(input.email)
      if (!user || user.passwordHash === null) {
        await verifyPassword(null, input.password) // same cost as a real check: timing does not reveal emails
        await loginFailed('unknown_user', caller)
        throw new InvalidCredentials()
      }
      if (user.lockedUntil && user.lockedUntil > clock()) {
        await verifyPassword(null, input.password)
        await loginFailed('locked', caller, user)
        throw new AccountLocked()
      }
      if (!await verifyPassword(user.passwordHash, input.password)) {
        await loginFailed('wrong_password', caller, user)
        throw new InvalidCredentials()
      }
      if (user.status !== 'active') {
        await loginFailed('disabled', caller, user)
        throw new AccountDisabled()
      }
      const family = await withTransaction(pool, async (client) => {
        await users.recordLogin(user.id, clock(), client)
        const family = await startFamily(client, user, caller)
        await audit.record(client, { action: 'auth.login', outcome: 'success', resourceType: 'user', resourceId: user.id, actor: userActor(user.id) }, caller.request)
        return family
      })
      return await grant(user, family)
    },

    /** Rotates the presented refresh token (SPEC §2.1). */
    async refresh (token: string, caller: Caller): Promise<SessionGrant> {
      const now = clock()
      const result = await withTransaction(pool, async (client) => {
        let row: SessionRow | null = await sessions.findByHash(sha256(token), client)
        if (!row) return { kind: 'invalid' as const }
        if (row.revokedAt) {
          if (row.revokedReason !== 'rotated') return { kind: 'invalid' as const }
          // Two tabs or a reload mid-refresh: the immediate predecessor of the live token, within 30 s of its
          // rotation, counts as an ordinary refresh of the live one.
          const successor = row.replacedBy ? await sessions.findById(row.replacedBy, client) : null
          if (successor && !successor.revokedAt && now.getTime() - row.revokedAt.getTime() <= REUSE_GRACE_MS) {
            row = successor
          } else {
            await sessions.revokeFamily(row.familyId, 'reuse', now, client)
            await audit.record(client, { action: 'auth.refresh.reuse', outcome: 'denied', resourceType: 'session', resourceId: row.familyId, details: { userId: row.userId }, actor: userActor(row.userId) }, caller.request)
            return { kind: 'reused' as const, familyId: row.familyId }
          }
        }
        if (row.idleExpiresAt <= now || row.expiresAt <= now) return { kind: 'invalid' as const }
        const user = await users.findById(row.userId, client)
        if (!user || user.status !== 'active') {
          await sessions.revokeFamily(row.familyId, 'disabled', now, client)
          return { kind: 'invalid' as const }
        }
        const refreshToken = newSecretToken()
        const id = uuidv7(now.getTime())
        await sessions.insert({
          id,
          userId: user.id,
          familyId: row.familyId,
          refreshHash: sha256(refreshToken),
          now,
          idleExpiresAt: new Date(Math.min(now.getTime() + IDLE_TTL_MS, row.expiresAt.getTime())),
          expiresAt: row.expiresAt,
          ip: caller.ip ?? row.ip,
          userAgent: caller.userAgent ?? row.userAgent
        }, client)
        await sessions.markRotated(row.id, id, now, client)
        return { kind: 'ok' as const, user, family: { familyId: row.familyId, refreshToken, expiresAt: row.expiresAt } }
      })
      if (result.kind === 'reused') {
        await denylist.deny([result.familyId])
        throw new RefreshReused()
      }
      if (result.kind === 'invalid') throw new RefreshInvalid()
      return await grant(result.user, result.family)
    },

    /** The cookie alone ends its session; an unknown or already ended one is not an error. */
    async logout (token: string, caller: Caller): Promise<void> {
      const familyId = await withTransaction(pool, async (client) => {
        const row = await sessions.findByHash(sha256(token), client)
        if (!row) return null
        if (!await sessions.revokeFamily(row.familyId, 'logout', clock(), client)) return null
        await audit.record(client, { action: 'auth.logout', outcome: 'success', resourceType: 'session', resourceId: row.familyId, actor: userActor(row.userId) }, caller.request)
        return row.familyId
      })
      if (familyId) await denylist.deny([familyId])
    },

    async logoutAll (identity: Identity, caller: Caller): Promise<void> {
      const families = await withTransaction(pool, async (client) => {
        const families = await sessions.revokeUser(identity.id, 'logout_all', clock(), client)
        await audit.record(client, { action: 'auth.logout_all', outcome: 'success', resourceType: 'user', resourceId: identity.id, details: { sessions: families.length } }, caller.request)
        return families
      })
      await denylist.deny([...families, ...(identity.sessionId ? [identity.sessionId] : [])])
    },

    async me (identity: Identity) {
      const user = identity.kind === 'user' ? await users.findById(identity.id) : null
      if (!user) throw genericError('auth', 'NOT_FOUND', 'No such user')
      return profile(user)
    },

    async updateMe (identity: Identity, patch: { name?: string, timeZone?: string, password?: { current: string, next: string } }, caller: Caller) {
      const user = identity.kind === 'user' ? await users.findById(identity.id) : null
      if (!user) throw genericError('auth', 'NOT_FOUND', 'No such user')
      let passwordHash: string | undefined
      if (patch.password) {
        if (!await verifyPassword(user.passwordHash, patch.password.current)) throw new InvalidCredentials()
        passwordHash = await hashPassword(patch.password.next)
      }
      const { updated, revoked } = await withTransaction(pool, async (client) => {
        const updated = await users.update(user.id, { name: patch.name, timeZone: patch.timeZone, passwordHash }, clock(), client)
        let revoked: string[] = []
        if (passwordHash) {
          // a new password ends every other session; this one goes on
          revoked = await sessions.revokeUser(user.id, 'password_change', clock(), client, identity.sessionId)
          await audit.record(client, { action: 'auth.password.change', outcome: 'success', resourceType: 'user', resourceId: user.id, details: { sessionsRevoked: revoked.length } }, caller.request)
        }
        await deps.outbox.add(client, userUpdated(updated, identity))
        return { updated, revoked }
      })
      await denylist.deny(revoked)
      return profile(updated)
    },

    async listSessions (identity: Identity) {
      const rows = await sessions.listLive(identity.id, clock())
      return rows.map((s) => ({
        id: s.familyId,
        createdAt: new Date(s.expiresAt.getTime() - ABSOLUTE_TTL_MS).toISOString(), // the family's start
        lastUsedAt: s.lastUsedAt.toISOString(),
        idleExpiresAt: s.idleExpiresAt.toISOString(),
        expiresAt: s.expiresAt.toISOString(),
        ip: s.ip,
        userAgent: s.userAgent,
        current: s.familyId === identity.sessionId
      }))
    },

    async deleteSession (identity: Identity, familyId: string, caller: Caller): Promise<void> {
      const revoked = await withTransaction(pool, async (client) => {
        // only the caller's own sessions: anyone else's is "not found"
        if (!await sessions.revokeFamily(familyId, 'deleted', clock(), client, identity.id)) return false
        await audit.record(client, { action: 'auth.session.revoke', outcome: 'success', resourceType: 'session', resourceId: familyId }, caller.request)
        return true
      })
      if (!revoked) throw genericError('auth', 'NOT_FOUND', 'No such session')
      await denylist.deny([familyId])
    }
  }
}
export type SessionsService = ReturnType<typeof createSessionsService>
