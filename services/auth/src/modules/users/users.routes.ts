// Routes of SPEC §2.2: users and invites under /api/auth, the user directory under /internal/auth.
import type { FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { Static } from 'typebox'
import { PageQuery } from '@robbie/contracts'
import { genericError } from '@robbie/service-kit'
import { callerOf, sendGrant } from '../sessions/sessions.routes.js'
import { IdParams, SessionReply } from '../sessions/sessions.schemas.js'
import type { UsersService } from './users.service.js'
import { AcceptBody, DirectoryQuery, DirectoryReply, InviteBody, InviteReply, UserListItem, UserPage, UserPatch } from './users.schemas.js'

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

export async function usersRoutes (fastify: FastifyInstance, opts: { service: UsersService }) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  const { service } = opts

  app.get('/users', { config: { scope: 'auth:admin' }, schema: { querystring: PageQuery, response: { 200: UserPage } } },
    async (request) => await service.list(request.query))

  app.post('/invites', {
    config: { scope: 'auth:admin', idempotent: true },
    schema: { body: InviteBody, response: { 201: InviteReply } }
  }, async (request, reply) => {
    const result = await service.invite(request.identity!, request.body, callerOf(request))
    return await reply.code(201).send(result)
  })

  // public (SPEC §0.1): the invite token proves the caller
  app.post('/invites/accept', {
    config: { public: true, limit: 'login' },
    schema: { body: AcceptBody, response: { 200: SessionReply } }
  }, async (request, reply) => sendGrant(reply, await service.acceptInvite(request.body, callerOf(request))))

  app.patch('/users/:id', {
    config: { scope: 'auth:admin', limit: 'sensitive' }, // role change: fail closed without Redis
    schema: { params: IdParams, body: UserPatch, response: { 200: UserListItem } }
  }, async (request) => await service.update(request.identity!, request.params.id, request.body as Static<typeof UserPatch>, callerOf(request)))
}

export async function internalUsersRoutes (fastify: FastifyInstance, opts: { service: UsersService }) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  app.get('/users', {
    config: { allowedCallers: ['chat', 'priorities', 'integration-sync', 'slack-bot', 'github-bot'] },
    schema: { querystring: DirectoryQuery, response: { 200: DirectoryReply } }
  }, async (request) => {
    const { ids, q } = request.query
    if ((ids === undefined) === (q === undefined)) {
      throw genericError('auth', 'VALIDATION_FAILED', 'Give either ids or q', { details: [{ path: 'querystring', rule: 'oneOf' }] })
    }
    if (ids !== undefined) {
      const list = ids.split(',')
      const bad = list.length > 100 || list.some((id) => !UUID_RE.test(id))
      if (bad) throw genericError('auth', 'VALIDATION_FAILED', 'ids: 1–100 comma-separated user ids', { details: [{ path: 'querystring/ids', rule: 'format' }] })
      return await opts.service.directory({ ids: [...new Set(list.map((id) => id.toLowerCase()))] })
    }
    return await opts.service.directory({ q })
  })
}
