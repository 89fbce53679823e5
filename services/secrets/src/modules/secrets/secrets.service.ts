// The secrets use cases (SPEC §5.1, §5.3): write a version, read metadata, reveal (audited first), delete and
// restore, resolve node → company → global, and match for redaction. Crypto runs before BEGIN, never inside;
// each write's audit row and event commit with it; caches are evicted after the commit.
import type { FastifyRequest } from 'fastify'
import { uuidv7, type Identity } from '@robbie/contracts'
import { withTransaction, type Pool } from '@robbie/db'
import type { Outbox } from '@robbie/bus'
import { genericError, type Audit, type AuditEntry } from '@robbie/service-kit'
import type { Keyring } from '../../plugins/keyring.js'
import { isOwner, requireAccess } from './access.js'
import { decryptValue, DecryptError, sealValue, unwrapDataKey, valueHmac, type SecretAddress } from './envelope.js'
import { DecryptFailed, Managed, Purged, VersionConflict, VersionDestroyed } from './secrets.errors.js'
import { secretDeleted, secretUpdated } from './secrets.events.js'
import type { Address, SecretRow, SecretsRepository, Visibility, SecretMetadata, ListFilter } from './secrets.repository.js'
import type { SecretsCache, ResolvedMeta } from './secrets.cache.js'
import type { PutBody, SecretView } from './secrets.schemas.js'

const MAX_VALUE_BYTES = 65536
const MAX_METADATA_BYTES = 8192
const KEEP_VERSIONS = 10
const RESTORE_DAYS = 30

export interface SecretsDeps {
  pool: Pool
  repo: SecretsRepository
  keyring: Pick<Keyring, 'current' | 'byId' | 'redactKeys'>
  outbox: Pick<Outbox, 'add'>
  audit: Pick<Audit, 'record'>
  /** absent for in-process callers without Redis (the import CLI): nothing to evict then */
  cache?: Pick<SecretsCache, 'getPlain' | 'setPlain' | 'getResolved' | 'setResolved' | 'invalidate'>
  now?: () => Date
}

export const toView = (s: SecretRow): SecretView => ({
  id: s.id,
  service: s.service,
  name: s.name,
  scope: s.scope,
  scopeId: s.scopeId,
  version: s.version,
  managed: s.managed,
  visibility: s.visibility,
  metadata: s.metadata,
  expiresAt: s.expiresAt?.toISOString() ?? null,
  rotationIntervalDays: s.rotationIntervalDays,
  rotationDueAt: s.rotationDueAt?.toISOString() ?? null,
  createdBy: s.createdBy,
  createdAt: s.createdAt.toISOString(),
  updatedAt: s.updatedAt.toISOString(),
  deletedAt: s.deletedAt?.toISOString() ?? null
})

const invalid = (path: string, rule: string, message: string) => genericError('secrets', 'VALIDATION_FAILED', message, { details: [{ path, rule }] })

/** `?scope&scopeId`: global has no scopeId, company and node need one. */
export function toAddress (service: string, name: string, query: { scope?: Address['scope'], scopeId?: string }): Address {
  const scope = query.scope ?? 'global'
  const scopeId = query.scopeId ?? ''
  if (scope === 'global' && scopeId !== '') throw invalid('querystring/scopeId', 'global', 'A global secret has no scopeId')
  if (scope !== 'global' && scopeId === '') throw invalid('querystring/scopeId', 'required', `A ${scope} secret needs a scopeId`)
  return { service, name, scope, scopeId }
}

const at = (s: Pick<SecretRow, 'id' | 'service' | 'name' | 'scope' | 'scopeId'>, version: number): SecretAddress =>
  ({ secretId: s.id, version, service: s.service, name: s.name, scope: s.scope, scopeId: s.scopeId })
const resource = (s: Pick<Address, 'service' | 'name'>) => `${s.service}/${s.name}`
const characters = (value: string) => [...value].length

export interface PutInput extends PutBody { managed?: boolean }
export interface CallContext { request?: FastifyRequest, /** internal writers (integration-sync) may write managed secrets */ internal?: boolean }

export function createSecretsService (deps: SecretsDeps) {
  const now = deps.now ?? (() => new Date())
  /** Without a request (the CLI), the identity is the actor. */
  const entry = (e: AuditEntry, identity: Identity, ctx: CallContext): AuditEntry =>
    ctx.request ? e : { ...e, actor: { type: identity.kind === 'user' ? 'user' : 'service', id: identity.id } }

  /**
   * Decrypts one stored version. Service resolves (the hot path) may take it from the ≤ 30 s memory cache;
   * a person's reveal always opens the stored ciphertext, so tampering shows at once.
   */
  async function open (s: Pick<SecretRow, 'id' | 'service' | 'name' | 'scope' | 'scopeId'>, version: number, useCache = false): Promise<string> {
    const cached = useCache ? deps.cache?.getPlain(s.id, version) : undefined
    if (cached !== undefined) return cached
    const stored = await deps.repo.loadVersion(s.id, version)
    if (!stored) throw genericError('secrets', 'NOT_FOUND', 'No such version')
    if (stored.destroyedAt || !stored.ciphertext || !stored.wrapped) throw new VersionDestroyed(version)
    let value: string
    try {
      const dek = unwrapDataKey((id) => deps.keyring.byId(id), stored.dekId, stored.wrapped)
      try { value = decryptValue(dek, stored.dekId, at(s, version), stored.ciphertext) } finally { dek.fill(0) }
    } catch (err) {
      if (err instanceof DecryptError) throw new DecryptFailed()
      throw err
    }
    if (useCache) deps.cache?.setPlain(s.id, version, value)
    return value
  }

  async function findOr404 (a: Address): Promise<SecretRow> {
    const row = await deps.repo.findLive(a)
    if (!row) throw genericError('secrets', 'NOT_FOUND', `No secret ${resource(a)} (${a.scope})`)
    return row
  }

  async function winner (service: string, name: string, node: string | null): Promise<ResolvedMeta | null> {
    const cached = await deps.cache?.getResolved(service, name, node)
    if (cached !== undefined) return cached
    const row = await deps.repo.resolve(service, name, node)
    const meta = row
      ? { id: row.id, service: row.service, name: row.name, scope: row.scope, scopeId: row.scopeId, version: row.version, managed: row.managed, visibility: row.visibility, expiresAt: row.expiresAt?.toISOString() ?? null }
      : null
    await deps.cache?.setResolved(service, name, node, meta)
    return meta
  }
  const override = (m: ResolvedMeta) => (m.scope === 'global' ? null : m.scope)

  return {
    /** PUT: a new version (201 when the entry is new). `ctx.internal` is integration-sync's managed write. */
    async put (identity: Identity, a: Address, body: PutInput, ctx: CallContext = {}): Promise<{ created: boolean, secret: SecretView }> {
      if (!ctx.internal) requireAccess(identity, 'secrets:write', true)
      if (Buffer.byteLength(body.value, 'utf8') > MAX_VALUE_BYTES) throw invalid('body/value', 'maxBytes', 'A value is 1 byte to 64 KiB')
      if (body.metadata && Buffer.byteLength(JSON.stringify(body.metadata), 'utf8') > MAX_METADATA_BYTES) throw invalid('body/metadata', 'maxBytes', 'Metadata is at most 8 KiB')
      for (let attempt = 0; ; attempt++) {
        const existing = await deps.repo.findLive(a)
        if (existing?.managed && !ctx.internal) throw new Managed()
        if (body.ifVersion !== undefined && body.ifVersion !== (existing?.version ?? 0)) throw new VersionConflict(existing?.version ?? 0, body.ifVersion)
        const visibility: Visibility = body.visibility ?? existing?.visibility ?? 'company'
        // only the owner may take a secret out of owner visibility (an admin could then reveal it) or put one in
        if (existing && existing.visibility !== visibility && !isOwner(identity) && !ctx.internal) {
          throw genericError('secrets', 'FORBIDDEN', 'Only the owner may change the visibility of an owner secret')
        }
        const id = existing?.id ?? uuidv7()
        const version = (existing?.version ?? 0) + 1
        const master = deps.keyring.current()
        const dekId = uuidv7()
        const sealed = sealValue(master, dekId, at({ id, ...a }, version), body.value)
        const chars = characters(body.value)
        const hmac = chars >= 8 && chars <= 4096 ? valueHmac(deps.keyring.redactKeys()[0]!, body.value) : null
        const fields = {
          managed: body.managed ?? existing?.managed ?? false,
          visibility,
          metadata: body.metadata ?? existing?.metadata ?? {} as SecretMetadata,
          expiresAt: body.expiresAt === undefined ? (existing?.expiresAt ?? null) : (body.expiresAt === null ? null : new Date(body.expiresAt)),
          rotationIntervalDays: body.rotationIntervalDays === undefined ? (existing?.rotationIntervalDays ?? null) : body.rotationIntervalDays
        }
        try {
          const secret = await withTransaction(deps.pool, async (client) => {
            if (existing) {
              const locked = await deps.repo.findLive(a, client, true)
              if (locked?.id !== id || locked.version !== existing.version) return null // changed since: start over
            } else {
              await deps.repo.insertSecret({ id, ...a, version, ...fields, createdBy: identity.id }, client)
            }
            await deps.repo.insertVersion({ secretId: id, version, dekId, ciphertext: sealed.ciphertext, wrapped: sealed.wrapped, masterKeyId: master.id, valueHmac: hmac, createdBy: identity.id }, client)
            const row = existing ? await deps.repo.updateSecret(id, { version, ...fields }, client) : (await deps.repo.findLive(a, client))!
            await deps.repo.destroyVersions(id, version - KEEP_VERSIONS + 1, client)
            await deps.audit.record(client, entry({ action: existing ? 'secrets.update' : 'secrets.create', outcome: 'success', resourceType: 'secret', resourceId: resource(a), details: { secretId: id, version, scope: a.scope, scopeId: a.scopeId, managed: row.managed } }, identity, ctx), ctx.request)
            await deps.outbox.add(client, secretUpdated(row, ctx.request?.id))
            return row
          })
          if (secret) {
            await deps.cache?.invalidate(secret)
            return { created: !existing, secret: toView(secret) }
          }
        } catch (err) {
          // two creators of one address: the partial unique index lets one in; the other starts over
          if ((err as { code?: string }).code !== '23505') throw err
        }
        if (attempt >= 2) throw genericError('secrets', 'CONFLICT', 'The secret changed while it was being written; try again')
      }
    },

    async get (identity: Identity | null, a: Address): Promise<SecretView> {
      requireAccess(identity, 'secrets:read', true)
      return toView(await findOr404(a))
    },

    async list (identity: Identity | null, f: ListFilter): Promise<{ items: SecretView[], nextCursor: string | null }> {
      requireAccess(identity, 'secrets:read', false)
      const rows = await deps.repo.list(f)
      const items = rows.slice(0, f.limit)
      return { items: items.map(toView), nextCursor: rows.length > f.limit ? items[items.length - 1]!.id : null }
    },

    async versions (identity: Identity | null, a: Address) {
      requireAccess(identity, 'secrets:read', true)
      const row = await findOr404(a)
      const items = (await deps.repo.listVersions(row.id)).map((v) => ({ ...v, createdAt: v.createdAt.toISOString() }))
      return { items, nextCursor: null }
    },

    /** The value, after its audit row has committed. Managed: nobody; owner visibility: the owner only. */
    async reveal (identity: Identity | null, a: Address, body: { version?: number, reason: string }, request?: FastifyRequest) {
      const who = requireAccess(identity, 'secrets:reveal', true)
      const row = await findOr404(a)
      if (row.managed) throw new Managed()
      if (row.visibility === 'owner' && !isOwner(who)) throw genericError('secrets', 'FORBIDDEN', 'Only the owner may reveal this secret')
      const version = body.version ?? row.version
      if (version > row.version) throw genericError('secrets', 'NOT_FOUND', 'No such version')
      const details = { secretId: row.id, version, scope: row.scope, scopeId: row.scopeId, reason: body.reason }
      let value: string
      try {
        value = await open(row, version)
      } catch (err) {
        const code = (err as { code?: string }).code
        if (err instanceof DecryptFailed) {
          await withTransaction(deps.pool, async (client) => await deps.audit.record(client, entry({ action: 'secrets.reveal', outcome: 'failed', resourceType: 'secret', resourceId: resource(row), details: { ...details, code } }, who, { request }), request))
        }
        throw err
      }
      await withTransaction(deps.pool, async (client) => await deps.audit.record(client, entry({ action: 'secrets.reveal', outcome: 'success', resourceType: 'secret', resourceId: resource(row), details }, who, { request }), request))
      return { value, version, scope: row.scope, scopeId: row.scopeId }
    },

    async remove (identity: Identity | null, a: Address, request?: FastifyRequest): Promise<void> {
      const who = requireAccess(identity, 'secrets:write', true)
      const row = await withTransaction(deps.pool, async (client) => {
        const live = await deps.repo.findLive(a, client, true)
        if (!live) throw genericError('secrets', 'NOT_FOUND', `No secret ${resource(a)} (${a.scope})`)
        const deleted = await deps.repo.setDeleted(live.id, true, client)
        await deps.audit.record(client, entry({ action: 'secrets.delete', outcome: 'success', resourceType: 'secret', resourceId: resource(a), details: { secretId: live.id, scope: a.scope, scopeId: a.scopeId } }, who, { request }), request)
        await deps.outbox.add(client, secretDeleted(deleted, request?.id))
        return deleted
      })
      await deps.cache?.invalidate(row)
    },

    /** Undoes a delete within 30 days; afterwards the values are destroyed: 410 SECRETS_PURGED. */
    async restore (identity: Identity | null, a: Address, request?: FastifyRequest): Promise<SecretView> {
      const who = requireAccess(identity, 'secrets:write', true)
      const row = await withTransaction(deps.pool, async (client) => {
        if (await deps.repo.findLive(a, client)) throw genericError('secrets', 'CONFLICT', 'A live secret already has this address')
        const gone = await deps.repo.findLastDeleted(a, client)
        if (!gone) throw genericError('secrets', 'NOT_FOUND', `No deleted secret ${resource(a)} (${a.scope})`)
        const current = await deps.repo.loadVersion(gone.id, gone.version, client)
        if (!current || current.destroyedAt || gone.deletedAt!.getTime() < now().getTime() - RESTORE_DAYS * 86_400_000) throw new Purged()
        const restored = await deps.repo.setDeleted(gone.id, false, client)
        await deps.audit.record(client, entry({ action: 'secrets.restore', outcome: 'success', resourceType: 'secret', resourceId: resource(a), details: { secretId: gone.id, scope: a.scope, scopeId: a.scopeId } }, who, { request }), request)
        await deps.outbox.add(client, secretUpdated(restored, request?.id))
        return restored
      })
      await deps.cache?.invalidate(row)
      return toView(row)
    },

    /** GET /resolve: which entry wins for a node (no value). */
    async whichWins (identity: Identity | null, service: string, name: string, node: string | null) {
      requireAccess(identity, 'secrets:read', true)
      const meta = await winner(service, name, node)
      if (!meta) throw genericError('secrets', 'NOT_FOUND', `No secret ${service}/${name}`)
      return { scope: meta.scope, scopeId: meta.scopeId, version: meta.version, overrideApplied: override(meta) }
    },

    /** POST /internal/secrets/resolve: the caller's namespace is checked by the route; audited. */
    async resolveValue (identity: Identity, service: string, name: string, node: string | null, request?: FastifyRequest) {
      const meta = await winner(service, name, node)
      const audit = async (outcome: 'success' | 'failed', details: Record<string, unknown>) => await withTransaction(deps.pool, async (client) =>
        await deps.audit.record(client, entry({ action: 'secrets.resolve', outcome, resourceType: 'secret', resourceId: `${service}/${name}`, details }, identity, { request }), request))
      if (!meta) {
        await audit('failed', { code: 'SECRETS_NOT_FOUND', node })
        throw genericError('secrets', 'NOT_FOUND', `No secret ${service}/${name}`)
      }
      const details = { secretId: meta.id, version: meta.version, scope: meta.scope, scopeId: meta.scopeId, node }
      let value: string
      try {
        value = await open(meta, meta.version, true)
      } catch (err) {
        if (err instanceof DecryptFailed) await audit('failed', { ...details, code: DecryptFailed.code })
        throw err
      }
      await audit('success', details)
      return { value, version: meta.version, scope: meta.scope, scopeId: meta.scopeId, overrideApplied: override(meta), expiresAt: meta.expiresAt }
    },

    /** Indices of candidates equal to a current value (by value_hmac under every key in use). */
    async match (candidates: string[]): Promise<number[]> {
      const keys = deps.keyring.redactKeys()
      const perCandidate = candidates.map((c) => keys.map((k) => valueHmac(k, c)))
      const found = await deps.repo.matchingHmacs(perCandidate.flat())
      const hex = new Set(found.map((b) => b.toString('hex')))
      return perCandidate.flatMap((hmacs, i) => (hmacs.some((h) => hex.has(h.toString('hex'))) ? [i] : []))
    },

    /** The 30-day purge of deleted secrets: every version and DEK destroyed (a scheduled job). */
    async purgeDeleted (): Promise<{ purged: number }> {
      const ids = await deps.repo.deletedBefore(new Date(now().getTime() - RESTORE_DAYS * 86_400_000), 500)
      for (const id of ids) {
        await withTransaction(deps.pool, async (client) => {
          await deps.repo.destroyVersions(id, null, client)
          await deps.audit.record(client, { action: 'secrets.purge', outcome: 'success', resourceType: 'secret', resourceId: id, actor: { type: 'system', id: null }, details: { secretId: id } })
        })
      }
      return { purged: ids.length }
    }
  }
}
export type SecretsService = ReturnType<typeof createSecretsService>
