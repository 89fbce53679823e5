// Internal routes (SPEC §5.3), mounted under /internal/secrets: service identities only, each route naming
// its callers. A caller resolves only its own namespaces; the node comes from its key, never from a header.
import type { FastifyInstance } from 'fastify'
import { genericError } from '@robbie/service-kit'
import { callerNode, callerService, RESOLVE_CALLERS, RESOLVE_NAMESPACES } from './access.js'
import type { SecretsService } from './secrets.service.js'
import { InternalResolveBody, InternalResolveReply, ManagedBody, ManagedReply, MatchBody, MatchReply } from './secrets.schemas.js'

export async function internalRoutes (app: FastifyInstance, opts: { service: SecretsService }): Promise<void> {
  const { service } = opts

  app.post('/resolve', {
    config: { allowedCallers: RESOLVE_CALLERS },
    schema: { tags: ['internal'], summary: "Resolve one of the caller's own credentials (audited)", body: InternalResolveBody, response: { 200: InternalResolveReply } }
  }, async (request, reply) => {
    const body = request.body as { service: string, name: string }
    const caller = callerService(request.identity)
    if (!caller || !RESOLVE_NAMESPACES[caller]?.includes(body.service)) throw genericError('secrets', 'FORBIDDEN', `This service may not resolve ${body.service} secrets`)
    const result = await service.resolveValue(request.identity!, body.service, body.name, callerNode(request.identity), request)
    return await reply.header('cache-control', 'no-store').send(result)
  })

  app.put('/managed', {
    config: { allowedCallers: ['integration-sync'] },
    schema: { tags: ['internal'], summary: 'Write a managed secret (integration-sync, google/* only)', body: ManagedBody, response: { 200: ManagedReply, 201: ManagedReply } }
  }, async (request, reply) => {
    const body = request.body as { service: string, name: string, value: string, expiresAt?: string | null }
    if (body.service !== 'google') throw genericError('secrets', 'FORBIDDEN', 'Managed secrets are google/* only')
    const { created, secret } = await service.put(request.identity!, { service: body.service, name: body.name, scope: 'global', scopeId: '' },
      { value: body.value, expiresAt: body.expiresAt, managed: true, visibility: 'owner' }, { request, internal: true })
    return await reply.code(created ? 201 : 200).send({ id: secret.id, version: secret.version })
  })

  app.post('/match', {
    config: { allowedCallers: ['chat'] },
    schema: { tags: ['internal'], summary: 'Which candidates equal a current secret value (by HMAC; which secret is not said)', body: MatchBody, response: { 200: MatchReply } }
  }, async (request) => ({ matches: await service.match((request.body as { candidates: string[] }).candidates) }))
}
