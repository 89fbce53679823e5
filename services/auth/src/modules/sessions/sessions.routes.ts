// Routes of SPEC §2.1: login, refresh, logout, logout-all, me, sessions. Thin: map, call, answer.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type, type Static } from 'typebox'
import type { Caller } from './audit.js'
import type { SessionGrant, SessionsService } from './sessions.service.js'
import { IdParams, LoginBody, MePatch, Profile, SessionList, SessionReply } from './sessions.schemas.js'
import { readRefreshCookie, refreshCookie } from './refresh-token.js'

export const callerOf = (request: FastifyRequest): Caller => ({
  request,
  ip: request.ip,
  userAgent: typeof request.headers['user-agent'] === 'string' ? request.headers['user-agent'] : undefined
})

/** The JSON body of a grant, with the refresh token in the cookie only. */
export function sendGrant (reply: FastifyReply, grant: SessionGrant) {
  void reply.header('set-cookie', refreshCookie(grant.refreshToken, grant.refreshMaxAgeS))
  return { accessToken: grant.accessToken, expiresIn: grant.expiresIn, user: grant.user }
}

const clearCookie = (reply: FastifyReply) => reply.header('set-cookie', refreshCookie('', 0))

export async function sessionsRoutes (fastify: FastifyInstance, opts: { service: SessionsService }) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  const { service } = opts

  // public (SPEC §0.1): the password proves the caller
  app.post('/login', {
    config: { public: true, limit: 'login' },
    schema: { body: LoginBody, response: { 200: SessionReply } }
  }, async (request, reply) => sendGrant(reply, await service.login(request.body, callerOf(request))))

  // public: the refresh cookie proves the caller
  app.post('/refresh', {
    config: { public: true, limit: 'sensitive' },
    schema: { response: { 200: SessionReply, 204: Type.Null() } }
  }, async (request, reply) => {
    const token = readRefreshCookie(request.headers.cookie)
    if (!token) return await reply.code(204).send(null) // no cookie, no session (SPEC §2.1)
    try {
      return sendGrant(reply, await service.refresh(token, callerOf(request)))
    } catch (err) {
      clearCookie(reply)
      throw err
    }
  })

  // public: the cookie alone ends its session, so an expired access token can still log out
  app.post('/logout', { config: { public: true } }, async (request, reply) => {
    const token = readRefreshCookie(request.headers.cookie)
    if (token) await service.logout(token, callerOf(request))
    clearCookie(reply)
    return await reply.code(204).send()
  })

  app.post('/logout-all', { config: { scope: 'auth:read' } }, async (request, reply) => {
    await service.logoutAll(request.identity!, callerOf(request))
    clearCookie(reply)
    return await reply.code(204).send()
  })

  app.get('/me', { config: { scope: 'auth:read' }, schema: { response: { 200: Profile } } },
    async (request) => await service.me(request.identity!))

  app.patch('/me', {
    config: { scope: 'auth:read', limit: 'sensitive' }, // a password change
    schema: { body: MePatch, response: { 200: Profile } }
  }, async (request) => await service.updateMe(request.identity!, request.body as Static<typeof MePatch>, callerOf(request)))

  app.get('/sessions', { config: { scope: 'auth:read' }, schema: { response: { 200: SessionList } } },
    async (request) => ({ items: await service.listSessions(request.identity!), nextCursor: null }))

  app.delete('/sessions/:id', { config: { scope: 'auth:read' }, schema: { params: IdParams } }, async (request, reply) => {
    await service.deleteSession(request.identity!, request.params.id, callerOf(request))
    return await reply.code(204).send()
  })
}
