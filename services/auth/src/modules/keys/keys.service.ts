// Personal keys (create, list, revoke, rotate) and GPU node-agent keys (SPEC §2.3). Crypto and Redis run
// outside transactions; each change writes its audit row and event in the same transaction as the row.
import type { AuditEntry } from '@robbie/service-kit'
import type { FastifyRequest } from 'fastify'
import { generateApiKey, isScope, type Identity } from '@robbie/contracts'
import { withTransaction, type Pool, type PoolClient } from '@robbie/db'
import type { Outbox } from '@robbie/bus'
import { genericError } from '@robbie/service-kit'
import { createKeysRepository, type KeyRow } from './keys.repository.js'
import { keyHmac } from './keys.config.js'
import { ScopeExceedsRole, UnknownScope } from './keys.errors.js'
import { apiKeyCreated, apiKeyRevoked } from './keys.events.js'
import { announceRevoked, markRevoked, type RevocationRedis } from './revocation.js'

/** The kit's `app.audit` (SPEC §2.4): writes one chained row with the caller's transaction client. */
export interface AuditRecorder {
  record: (client: PoolClient, entry: AuditEntry, request?: FastifyRequest) => Promise<unknown>
  /** identifiers of keys in audit rows are HMAC-ed with the audit key, never written as they are */
  hmac: (value: string) => string
}

export interface KeysServiceDeps {
  pool: Pool
  redis: RevocationRedis
  outbox: Pick<Outbox, 'add'>
  audit: AuditRecorder
  pepper: Buffer
}

export interface KeyListItem {
  id: string,
  name: string,
  prefix: string,
  scopes: string[],
  createdAt: string,
  expiresAt: string | null
  lastUsedAt: string | null,
  lastUsedIp: string | null,
  revokedAt: string | null
}
const iso = (d: Date | null) => (d ? d.toISOString() : null)
const DAY_MS = 86_400_000

const encodeCursor = (row: KeyRow) => Buffer.from(JSON.stringify([row.createdAt.toISOString(), row.id])).toString('base64url')
function decodeCursor (cursor: string | undefined): { createdAt: string, id: string } | null {
  if (!cursor) return null
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[]
    if (typeof createdAt === 'string' && !Number.isNaN(Date.parse(createdAt)) && typeof id === 'string' && id.length <= 12) return { createdAt, id }
  } catch { /* fall through */ }
  throw genericError('auth', 'VALIDATION_FAILED', 'Invalid cursor', { details: [{ path: 'querystring/cursor', rule: 'cursor' }] })
}

/** Key management needs the user in person: not a service, and not a service acting with a delegated token. */
function personal (identity: Identity | null): Identity & { role: NonNullable<Identity['role']> } {
  if (!identity || identity.kind !== 'user' || !identity.role || identity.actor) {
    throw genericError('auth', 'FORBIDDEN', 'API keys are managed by the user in person')
  }
  return identity as Identity & { role: NonNullable<Identity['role']> }
}

export function createKeysService (deps: KeysServiceDeps) {
  const repo = createKeysRepository(deps.pool)
  const ref = (keyId: string) => deps.audit.hmac(`apikey:${keyId}`)

  async function mintPat (client: PoolClient, row: { userId: string, name: string, scopes: string[], expiresAt: Date, rotatedFrom?: string }, minted: { id: string, key: string }) {
    return await repo.insert({ id: minted.id, type: 'pat', userId: row.userId, name: row.name, scopes: row.scopes, keyHmac: keyHmac(deps.pepper, minted.key), expiresAt: row.expiresAt, rotatedFrom: row.rotatedFrom ?? null }, client)
  }

  return {
    async create (who: Identity | null, input: { name: string, scopes: string[], expiresInDays: number }, request?: FastifyRequest) {
      const identity = personal(who)
      const scopes = [...new Set(input.scopes)]
      const unknown = scopes.filter((s) => !isScope(s))
      if (unknown.length > 0) throw new UnknownScope(unknown.join(', '))
      // the caller's effective scopes: a role's scopes for a session, the key's (already cut to the role) for a key
      const exceeding = scopes.filter((s) => !identity.scopes.includes(s))
      if (exceeding.length > 0) throw new ScopeExceedsRole(exceeding.join(', '))
      const minted = generateApiKey('pat')
      const expiresAt = new Date(Date.now() + input.expiresInDays * DAY_MS)
      const row = await withTransaction(deps.pool, async (client) => {
        const row = await mintPat(client, { userId: identity.id, name: input.name, scopes, expiresAt }, minted)
        await deps.audit.record(client, { action: 'auth.apikey.create', outcome: 'success', resourceType: 'api_key', resourceId: ref(row.id), details: { scopes, expiresAt: expiresAt.toISOString() } }, request)
        await deps.outbox.add(client, apiKeyCreated(row.id, identity.id, identity.id))
        return row
      })
      return { id: row.id, key: minted.key, name: row.name, scopes: row.scopes, createdAt: row.createdAt.toISOString(), expiresAt: row.expiresAt!.toISOString() }
    },

    async list (who: Identity | null, query: { userId?: string, limit: number, cursor?: string }) {
      if (!who || who.kind !== 'user') throw genericError('auth', 'FORBIDDEN', 'Only users have personal keys')
      const userId = query.userId ?? who.id
      if (userId !== who.id && who.role !== 'owner' && who.role !== 'admin') throw genericError('auth', 'FORBIDDEN', "Only owners and admins list other users' keys")
      // SPEC §1.1: an admin's reach over keys is members' keys; the owner's and other admins' are not theirs to
      // see, so they are "not found", like a user that does not exist
      if (userId !== who.id && who.role === 'admin' && await repo.userRole(userId) !== 'member') throw genericError('auth', 'NOT_FOUND', 'No such user')
      const rows = await repo.listByUser(userId, query.limit + 1, decodeCursor(query.cursor))
      const page = rows.slice(0, query.limit)
      const items: KeyListItem[] = page.map((r) => ({
        id: r.id,
        name: r.name,
        prefix: `robbie_pat_${r.id}`,
        scopes: r.scopes,
        createdAt: r.createdAt.toISOString(),
        expiresAt: iso(r.expiresAt),
        lastUsedAt: iso(r.lastUsedAt),
        lastUsedIp: r.lastUsedIp,
        revokedAt: iso(r.revokedAt)
      }))
      return { items, nextCursor: rows.length > query.limit ? encodeCursor(page[page.length - 1]!) : null }
    },

    /** Own keys; an admin also members' keys; the owner any personal key (SPEC §1.1). */
    async revoke (who: Identity | null, keyId: string, request?: FastifyRequest) {
      if (!who || who.kind !== 'user' || !who.role) throw genericError('auth', 'FORBIDDEN', 'Only users revoke personal keys')
      const row = await repo.findById(keyId)
      if (!row || row.type !== 'pat') throw genericError('auth', 'NOT_FOUND', 'No such key')
      const own = row.userId === who.id
      if (!own && who.role === 'member') throw genericError('auth', 'NOT_FOUND', 'No such key') // a member may not know it exists
      if (!own && who.role === 'admin' && row.userRole !== 'member') throw genericError('auth', 'NOT_FOUND', 'No such key') // not theirs to know of
      if (row.revokedAt) return // already revoked: nothing more to do (a retried DELETE is not an error)
      await markRevoked(deps.redis, [row.id])
      const revoked = await withTransaction(deps.pool, async (client) => {
        const ids = await repo.revoke([row.id], client)
        if (ids.length === 0) return ids
        await deps.audit.record(client, { action: 'auth.apikey.revoke', outcome: 'success', resourceType: 'api_key', resourceId: ref(row.id), details: own ? {} : { ownerUserId: row.userId } }, request)
        await deps.outbox.add(client, apiKeyRevoked(row.id, { type: 'user', id: who.id }))
        return ids
      })
      await announceRevoked(deps.redis, revoked)
    },

    /** A new key with the same name and scopes; the old one keeps working for `graceHours`. */
    async rotate (who: Identity | null, keyId: string, graceHours: number, request?: FastifyRequest) {
      const identity = personal(who)
      const old = await repo.findById(keyId)
      if (!old || old.type !== 'pat' || old.userId !== identity.id) throw genericError('auth', 'NOT_FOUND', 'No such key')
      const now = Date.now()
      if (old.revokedAt || old.graceUntil || (old.expiresAt && old.expiresAt.getTime() <= now)) {
        throw genericError('auth', 'CONFLICT', 'This key is revoked, expired or already rotated')
      }
      const lifetimeMs = Math.min(Math.max(old.expiresAt!.getTime() - old.createdAt.getTime(), DAY_MS), 365 * DAY_MS)
      const minted = generateApiKey('pat')
      if (graceHours === 0) await markRevoked(deps.redis, [old.id])
      const row = await withTransaction(deps.pool, async (client) => {
        const ended = graceHours === 0
          ? (await repo.revoke([old.id], client)).length === 1
          : await repo.startGrace(old.id, new Date(now + graceHours * 3_600_000), client)
        if (!ended) throw genericError('auth', 'CONFLICT', 'This key was revoked or rotated meanwhile')
        const row = await mintPat(client, { userId: identity.id, name: old.name, scopes: old.scopes, expiresAt: new Date(now + lifetimeMs), rotatedFrom: old.id }, minted)
        await deps.audit.record(client, { action: 'auth.apikey.rotate', outcome: 'success', resourceType: 'api_key', resourceId: ref(old.id), details: { newKeyRef: ref(row.id), graceHours } }, request)
        await deps.outbox.add(client, apiKeyCreated(row.id, identity.id, identity.id))
        if (graceHours === 0) await deps.outbox.add(client, apiKeyRevoked(old.id, { type: 'user', id: identity.id }))
        return row
      })
      if (graceHours === 0) await announceRevoked(deps.redis, [old.id])
      return { id: row.id, key: minted.key, name: row.name, scopes: row.scopes, createdAt: row.createdAt.toISOString(), expiresAt: row.expiresAt!.toISOString() }
    },

    /** A GPU node agent's key (SPEC §7.1): one live key per node, so minting again replaces the previous one. */
    async mintNodeKey (nodeName: string, caller: string, request?: FastifyRequest) {
      const minted = generateApiKey('svc')
      const { row, replaced } = await withTransaction(deps.pool, async (client) => {
        const replaced = await repo.revoke(await repo.liveNodeKeyIds(nodeName, client), client)
        const row = await repo.insert({ id: minted.id, type: 'svc', nodeName, name: `node:${nodeName}`, scopes: [], keyHmac: keyHmac(deps.pepper, minted.key) }, client)
        await deps.audit.record(client, { action: 'auth.apikey.create', outcome: 'success', resourceType: 'node_key', resourceId: ref(row.id), details: { node: nodeName, replaced: replaced.map(ref) } }, request)
        for (const id of replaced) await deps.outbox.add(client, apiKeyRevoked(id, { type: 'service', id: caller }))
        return { row, replaced }
      })
      if (replaced.length > 0) {
        await markRevoked(deps.redis, replaced).catch(() => {}) // already refused by the database; this only shortens caches
        await announceRevoked(deps.redis, replaced)
      }
      return { keyId: row.id, key: minted.key }
    },

    async revokeNodeKeys (nodeName: string, caller: string, request?: FastifyRequest) {
      const live = await repo.liveNodeKeyIds(nodeName)
      if (live.length === 0) return
      await markRevoked(deps.redis, live)
      const revoked = await withTransaction(deps.pool, async (client) => {
        const ids = await repo.revoke(live, client)
        for (const id of ids) {
          await deps.audit.record(client, { action: 'auth.apikey.revoke', outcome: 'success', resourceType: 'node_key', resourceId: ref(id), details: { node: nodeName } }, request)
          await deps.outbox.add(client, apiKeyRevoked(id, { type: 'service', id: caller }))
        }
        return ids
      })
      await announceRevoked(deps.redis, revoked)
    }
  }
}
export type KeysService = ReturnType<typeof createKeysService>
