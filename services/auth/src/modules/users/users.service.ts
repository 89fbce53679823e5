// Users and invites (SPEC §2.2): who may change whom is decided here, on rows read in the same transaction.
import { withTransaction, type Pool, type PoolClient } from '@robbie/db'
import { genericError } from '@robbie/service-kit'
import { uuidv7, type Identity, type Role } from '@robbie/contracts'
import type { Outbox } from '@robbie/bus'
import { userActor, type Audit, type Caller } from '../sessions/audit.js'
import type { Denylist } from '../sessions/denylist.js'
import type { SessionsRepository } from '../sessions/sessions.repository.js'
import type { SessionsService } from '../sessions/sessions.service.js'
import { hashPassword } from '../sessions/password.js'
import { newSecretToken, sha256 } from '../sessions/refresh-token.js'
import type { UsersRepository, UserRow } from './users.repository.js'
import { userCreated, userUpdated } from './users.events.js'
import { CannotChangeOwner, InviteExpired } from './users.errors.js'

export const INVITE_TTL_MS = 72 * 3600_000
const UNIQUE_VIOLATION = '23505'

export interface UsersDeps {
  pool: Pool
  users: UsersRepository
  sessions: Pick<SessionsRepository, 'revokeUser'>
  sessionsService: Pick<SessionsService, 'startFamily' | 'grant'>
  audit: Audit
  outbox: Pick<Outbox, 'add'>
  denylist: Denylist
  clock: () => Date
  /**
   * Revokes a disabled user's API keys in the same transaction (B2's keys module). Until it is wired,
   * `auth.user.updated.v1` with `status: disabled` is the signal.
   */
  revokeUserKeys?: (client: PoolClient, userId: string) => Promise<unknown>
}

export const listItem = (u: UserRow) => ({ id: u.id, email: u.email, name: u.name, role: u.role, status: u.status, lastLoginAt: u.lastLoginAt?.toISOString() ?? null })
export const directoryItem = (u: UserRow) => ({ id: u.id, email: u.email, name: u.name, role: u.role, status: u.status })

const encodeCursor = (id: string) => Buffer.from(id, 'utf8').toString('base64url')
function decodeCursor (cursor: string | undefined): string | undefined {
  if (cursor === undefined) return undefined
  const id = Buffer.from(cursor, 'base64url').toString('utf8')
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id)) {
    throw genericError('auth', 'VALIDATION_FAILED', 'Invalid cursor', { details: [{ path: 'querystring/cursor', rule: 'format' }] })
  }
  return id
}

const isUniqueViolation = (err: unknown) => (err as { code?: string }).code === UNIQUE_VIOLATION

export function createUsersService (deps: UsersDeps) {
  const { pool, users, audit, clock } = deps

  /** Creates an active user with a password (the owner, or `robbie create-user`); hash first, outside BEGIN. */
  async function createActiveUser (input: { email: string, name: string, role: Role, password: string, timeZone?: string }, by: Identity | undefined, caller: Caller, inTx?: (client: PoolClient, user: UserRow) => Promise<void>) {
    const passwordHash = await hashPassword(input.password)
    try {
      return await withTransaction(pool, async (client) => {
        const user = await users.insert({ id: uuidv7(), email: input.email, name: input.name, role: input.role, status: 'active', passwordHash, timeZone: input.timeZone, now: clock() }, client)
        await audit.record(client, { action: 'auth.user.create', outcome: 'success', resourceType: 'user', resourceId: user.id, details: { role: user.role }, ...(caller.actor ? { actor: caller.actor } : {}) }, caller.request)
        await deps.outbox.add(client, userCreated(user, by))
        await inTx?.(client, user)
        return user
      })
    } catch (err) {
      if (isUniqueViolation(err)) throw genericError('auth', 'CONFLICT', input.role === 'owner' ? 'An owner already exists' : 'A user with this email exists')
      throw err
    }
  }

  return {
    createActiveUser,

    async list (query: { limit: number, cursor?: string }) {
      const rows = await users.list({ limit: query.limit + 1, after: decodeCursor(query.cursor) })
      const page = rows.slice(0, query.limit)
      return { items: page.map(listItem), nextCursor: rows.length > query.limit ? encodeCursor(page.at(-1)!.id) : null }
    },

    /** Owner invites any role, admin members only (SPEC §2.2). The token is returned once. */
    async invite (identity: Identity, input: { email: string, role: 'admin' | 'member' }, caller: Caller) {
      if (input.role === 'admin' && identity.role !== 'owner') throw genericError('auth', 'FORBIDDEN', 'Only the owner invites admins')
      const token = newSecretToken()
      const now = clock()
      try {
        const inviteId = await withTransaction(pool, async (client) => {
          let user = await users.findByEmail(input.email, client, { forUpdate: true })
          if (user && user.status !== 'invited') throw genericError('auth', 'CONFLICT', 'A user with this email exists')
          // re-inviting someone the owner invited as an admin is the owner's call too
          if (user && user.role === 'admin' && identity.role !== 'owner') throw genericError('auth', 'FORBIDDEN', 'Only the owner invites admins')
          if (user) {
            user = await users.update(user.id, { role: input.role }, now, client)
            await users.deleteOpenInvites(user.id, client)
            await deps.outbox.add(client, userUpdated(user, identity))
          } else {
            user = await users.insert({ id: uuidv7(), email: input.email, name: '', role: input.role, status: 'invited', passwordHash: null, now }, client)
            await deps.outbox.add(client, userCreated(user, identity))
          }
          const inviteId = uuidv7()
          await users.insertInvite({ id: inviteId, userId: user.id, email: user.email, role: input.role, tokenHash: sha256(token), createdBy: identity.id, now, expiresAt: new Date(now.getTime() + INVITE_TTL_MS) }, client)
          await audit.record(client, { action: 'auth.user.invite', outcome: 'success', resourceType: 'user', resourceId: user.id, details: { role: input.role, inviteId } }, caller.request)
          return inviteId
        })
        // the token travels in the fragment, which browsers never send to a server or put in a Referer
        return { inviteId, inviteUrl: `/invite#${token}` }
      } catch (err) {
        if (isUniqueViolation(err)) throw genericError('auth', 'CONFLICT', 'A user with this email exists')
        throw err
      }
    },

    async acceptInvite (input: { token: string, name: string, password: string }, caller: Caller) {
      const passwordHash = await hashPassword(input.password)
      const now = clock()
      const result = await withTransaction(pool, async (client) => {
        const invite = await users.findInviteByTokenHash(sha256(input.token), client)
        if (!invite) return { kind: 'unknown' as const }
        if (invite.acceptedAt || invite.expiresAt <= now) return { kind: 'expired' as const }
        const current = await users.findById(invite.userId, client, { forUpdate: true })
        if (!current || current.status !== 'invited') return { kind: 'expired' as const }
        const user = await users.update(current.id, { name: input.name, status: 'active', passwordHash }, now, client)
        await users.markInviteAccepted(invite.id, now, client)
        await users.recordLogin(user.id, now, client)
        await audit.record(client, { action: 'auth.invite.accept', outcome: 'success', resourceType: 'user', resourceId: user.id, details: { inviteId: invite.id }, actor: userActor(user.id) }, caller.request)
        await deps.outbox.add(client, userUpdated(user, { kind: 'user', id: user.id, scopes: [] }))
        const family = await deps.sessionsService.startFamily(client, user, caller)
        return { kind: 'ok' as const, user, family }
      })
      if (result.kind === 'unknown') throw genericError('auth', 'NOT_FOUND', 'No such invite')
      if (result.kind === 'expired') throw new InviteExpired()
      return await deps.sessionsService.grant(result.user, result.family)
    },

    /** PATCH /users/:id: owner changes anyone but the owner; admin changes members, and only into members. */
    async update (identity: Identity, id: string, patch: { role?: 'admin' | 'member', status?: 'active' | 'disabled', name?: string }, caller: Caller) {
      const privileged = patch.role !== undefined || patch.status !== undefined
      // role and status changes revoke sessions through the denylist: without Redis they fail closed (SPEC §2.1)
      if (privileged && !await deps.denylist.available()) {
        throw genericError('auth', 'UNAVAILABLE', 'The session store is unreachable; try again shortly', { headers: { 'retry-after': '5' } })
      }
      const now = clock()
      const { user, revoked } = await withTransaction(pool, async (client) => {
        const target = await users.findById(id, client, { forUpdate: true })
        if (!target) throw genericError('auth', 'NOT_FOUND', 'No such user')
        if (target.role === 'owner') throw new CannotChangeOwner()
        if (identity.role !== 'owner' && (target.role !== 'member' || patch.role === 'admin')) {
          throw genericError('auth', 'FORBIDDEN', 'Admins manage members only')
        }
        if (patch.status === 'active' && target.status === 'invited') throw genericError('auth', 'CONFLICT', 'An invited user becomes active by accepting the invite')
        const roleChanged = patch.role !== undefined && patch.role !== target.role
        const statusChanged = patch.status !== undefined && patch.status !== target.status
        const nameChanged = patch.name !== undefined && patch.name !== target.name
        if (!roleChanged && !statusChanged && !nameChanged) return { user: target, revoked: [] }
        const user = await users.update(id, { role: roleChanged ? patch.role : undefined, status: statusChanged ? patch.status : undefined, name: nameChanged ? patch.name : undefined }, now, client)
        let revoked: string[] = []
        if (roleChanged || (statusChanged && user.status === 'disabled')) {
          revoked = await deps.sessions.revokeUser(id, user.status === 'disabled' ? 'disabled' : 'role_change', now, client)
        }
        if (statusChanged && user.status === 'disabled') await deps.revokeUserKeys?.(client, id)
        if (roleChanged) await audit.record(client, { action: 'auth.user.role_change', outcome: 'success', resourceType: 'user', resourceId: id, details: { from: target.role, to: user.role } }, caller.request)
        if (statusChanged) await audit.record(client, { action: 'auth.user.status_change', outcome: 'success', resourceType: 'user', resourceId: id, details: { from: target.status, to: user.status } }, caller.request)
        if (nameChanged && !roleChanged && !statusChanged) await audit.record(client, { action: 'auth.user.update', outcome: 'success', resourceType: 'user', resourceId: id, details: { fields: ['name'] } }, caller.request)
        await deps.outbox.add(client, userUpdated(user, identity))
        return { user, revoked }
      })
      await deps.denylist.deny(revoked)
      return listItem(user)
    },

    /** GET /internal/auth/users: by ids (1–100) or a name/email prefix (≤ 20 matches). */
    async directory (query: { ids?: string[], q?: string }) {
      const rows = query.ids ? await users.findByIds(query.ids) : await users.search(query.q ?? '', 20)
      return { items: rows.map(directoryItem), nextCursor: null }
    }
  }
}
export type UsersService = ReturnType<typeof createUsersService>
