// Personal API keys (SPEC §2.3): create, list, revoke, rotate. Thin handlers over the keys service.
import { announceExpiringKeys } from './expiry.js'
import type { FastifyInstance } from 'fastify'
import type { Static } from 'typebox'
import type { KitConfig } from '@robbie/service-kit'
import { readKeyFile, type KeysConfig } from './keys.config.js'
import { createKeysService } from './keys.service.js'
import { CreatedKey, CreateKeyBody, KeyPage, KeyParams, ListKeysQuery, RotateBody } from './keys.schemas.js'

export interface KeysModuleOptions { config: KeysConfig & KitConfig }

export async function keysModule (app: FastifyInstance, opts: KeysModuleOptions): Promise<void> {
  app.jobs.schedule({ name: 'apikey-expiry-notice', everyMs: 3_600_000, run: async () => ({ announced: await announceExpiringKeys({ pool: app.db, outbox: app.outbox }) }) })
  const service = createKeysService({
    pool: app.db, redis: app.redis, outbox: app.outbox, audit: app.audit, pepper: readKeyFile(opts.config.ROBBIE_APIKEY_PEPPER_FILE)
  })

  app.post('/api/auth/keys', {
    config: { scope: 'auth:read', idempotent: 'sealed', limit: 'sensitive' },
    schema: { tags: ['keys'], summary: 'Create a personal API key (shown once)', body: CreateKeyBody, response: { 201: CreatedKey } }
  }, async (request, reply) => {
    const body = request.body as Static<typeof CreateKeyBody>
    return await reply.code(201).send(await service.create(request.identity, body, request))
  })

  app.get('/api/auth/keys', {
    config: { scope: 'auth:read' },
    schema: { tags: ['keys'], summary: "List your keys (owner, admin: `userId` lists another user's)", querystring: ListKeysQuery, response: { 200: KeyPage } }
  }, async (request) => await service.list(request.identity, request.query as Static<typeof ListKeysQuery>))

  app.delete('/api/auth/keys/:id', {
    config: { scope: 'auth:read', limit: 'sensitive' },
    schema: { tags: ['keys'], summary: "Revoke a key (own; admins members'; the owner any)", params: KeyParams }
  }, async (request, reply) => {
    await service.revoke(request.identity, (request.params as Static<typeof KeyParams>).id, request)
    return await reply.code(204).send()
  })

  app.post('/api/auth/keys/:id/rotate', {
    config: { scope: 'auth:read', idempotent: 'sealed', limit: 'sensitive' },
    schema: { tags: ['keys'], summary: 'Replace a key; the old one works until the grace ends', params: KeyParams, body: RotateBody, response: { 201: CreatedKey } }
  }, async (request, reply) => {
    const { graceHours } = (request.body ?? { graceHours: 24 }) as Static<typeof RotateBody>
    return await reply.code(201).send(await service.rotate(request.identity, (request.params as Static<typeof KeyParams>).id, graceHours, request))
  })
}
