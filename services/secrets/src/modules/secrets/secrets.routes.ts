// Public secrets routes (SPEC §5.3), mounted under /api/secrets. Thin handlers: the service decides who may do
// what. Entry routes admit every signed-in user at the kit's door (`roles`) because a member must get 404 from
// them, not 403 (SPEC §5.1); the service applies the owner/admin rules.
import type { FastifyInstance } from 'fastify'
import type { Role } from '@robbie/contracts'
import { genericError } from '@robbie/service-kit'
import type { SecretsService } from './secrets.service.js'
import { toAddress } from './secrets.service.js'
import {
  AddressQuery, EntryParams, ListQuery, PutBody, ResolveQuery, ResolveReply, RevealBody, RevealReply, SecretPage, SecretView, VersionsReply
} from './secrets.schemas.js'

const SIGNED_IN: Role[] = ['owner', 'admin', 'member']

export async function secretsRoutes (app: FastifyInstance, opts: { service: SecretsService }): Promise<void> {
  const { service } = opts
  const address = (params: unknown, query: unknown) => {
    const p = params as EntryParams
    return toAddress(p.service, p.name, query as AddressQuery)
  }

  app.put('/entries/:service/:name', {
    config: { roles: SIGNED_IN },
    schema: { tags: ['secrets'], summary: 'Write a new version (owner, admin)', params: EntryParams, querystring: AddressQuery, body: PutBody, response: { 200: SecretView, 201: SecretView } }
  }, async (request, reply) => {
    const { created, secret } = await service.put(request.identity!, address(request.params, request.query), request.body as PutBody, { request })
    return await reply.code(created ? 201 : 200).send(secret)
  })

  app.get('/entries', {
    config: { scope: 'secrets:read' },
    schema: { tags: ['secrets'], summary: 'List secrets: metadata only (owner, admin)', querystring: ListQuery, response: { 200: SecretPage } }
  }, async (request) => {
    const q = request.query as ListQuery
    if (q.cursor !== undefined && !/^[0-9a-f-]{36}$/.test(q.cursor)) throw genericError('secrets', 'VALIDATION_FAILED', 'The cursor is not valid', { details: [{ path: 'querystring/cursor', rule: 'cursor' }] })
    return await service.list(request.identity, { service: q.service, scope: q.scope, expiringWithinDays: q.expiringWithinDays, includeDeleted: q.includeDeleted, limit: q.limit, after: q.cursor })
  })

  app.get('/entries/:service/:name', {
    config: { roles: SIGNED_IN },
    schema: { tags: ['secrets'], summary: 'One secret: metadata only', params: EntryParams, querystring: AddressQuery, response: { 200: SecretView } }
  }, async (request) => await service.get(request.identity, address(request.params, request.query)))

  app.post('/entries/:service/:name/reveal', {
    config: { roles: SIGNED_IN, limit: 'sensitive' },
    schema: { tags: ['secrets'], summary: 'The value: audited before it is returned (owner; admin for non-owner visibility)', params: EntryParams, querystring: AddressQuery, body: RevealBody, response: { 200: RevealReply } }
  }, async (request, reply) => {
    const result = await service.reveal(request.identity, address(request.params, request.query), request.body as RevealBody, request)
    return await reply.header('cache-control', 'no-store').send(result)
  })

  app.get('/entries/:service/:name/versions', {
    config: { roles: SIGNED_IN },
    schema: { tags: ['secrets'], summary: 'Versions (the newest 10 keep their values)', params: EntryParams, querystring: AddressQuery, response: { 200: VersionsReply } }
  }, async (request) => await service.versions(request.identity, address(request.params, request.query)))

  app.delete('/entries/:service/:name', {
    config: { roles: SIGNED_IN },
    schema: { tags: ['secrets'], summary: 'Soft delete (restorable for 30 days)', params: EntryParams, querystring: AddressQuery }
  }, async (request, reply) => {
    await service.remove(request.identity, address(request.params, request.query), request)
    return await reply.code(204).send()
  })

  app.post('/entries/:service/:name/restore', {
    config: { roles: SIGNED_IN, idempotent: true },
    schema: { tags: ['secrets'], summary: 'Undo a delete within 30 days', params: EntryParams, querystring: AddressQuery, response: { 200: SecretView } }
  }, async (request) => await service.restore(request.identity, address(request.params, request.query), request))

  app.get('/resolve/:service/:name', {
    config: { roles: SIGNED_IN },
    schema: { tags: ['secrets'], summary: 'Which entry wins for a node: node → company → global (no value)', params: EntryParams, querystring: ResolveQuery, response: { 200: ResolveReply } }
  }, async (request) => {
    const p = request.params as EntryParams
    return await service.whichWins(request.identity, p.service, p.name, (request.query as { node?: string }).node ?? null)
  })
}
