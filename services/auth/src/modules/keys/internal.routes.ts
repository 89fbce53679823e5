// Internal routes of the keys module (SPEC §2.3): key verification for every service, delegated tokens for
// the services that act for users, and GPU node-agent keys for the coordinator.
import type { FastifyInstance } from 'fastify'
import type { Static } from 'typebox'
import { SERVICES } from '@robbie/contracts'
import { withTransaction } from '@robbie/db'
import { genericError, type KitConfig } from '@robbie/service-kit'
import { signAccessToken } from '../../tokens/index.js'
import { readKeyFile, type KeysConfig } from './keys.config.js'
import { createKeysService } from './keys.service.js'
import type { ApiKeyVerifier } from './verifier.js'
import { DelegateBody, DelegateReply, NodeKeyBody, NodeKeyParams, NodeKeyReply, VerifyBody, VerifyReply } from './keys.schemas.js'

export interface InternalKeysModuleOptions {
  config: KeysConfig & KitConfig
  /** the verifier auth also hands the kit (createApiKeyVerifier), so both paths check keys the same way */
  verifier: Pick<ApiKeyVerifier, 'verify'>
}

const DELEGATORS = ['chat', 'integration-sync', 'slack-bot', 'github-bot']

export async function internalKeysModule (app: FastifyInstance, opts: InternalKeysModuleOptions): Promise<void> {
  const service = createKeysService({
    pool: app.db, redis: app.redis, outbox: app.outbox, audit: app.audit, pepper: readKeyFile(opts.config.ROBBIE_APIKEY_PEPPER_FILE)
  })

  app.post('/internal/auth/keys/verify', {
    config: { allowedCallers: [...SERVICES] },
    schema: { tags: ['keys'], summary: "Verify an API key → the key's identity (cache ≤ 30 s)", body: VerifyBody, response: { 200: VerifyReply } }
  }, async (request) => {
    const { key, ip } = request.body as Static<typeof VerifyBody>
    const result = await opts.verifier.verify(key, { ip: ip ?? null, request })
    if (!result.ok) throw genericError('auth', 'UNAUTHENTICATED', 'The key is not valid')
    return { identity: result.identity, expiresAt: result.expiresAt }
  })

  app.post('/internal/auth/delegate', {
    config: { allowedCallers: DELEGATORS },
    schema: { tags: ['keys'], summary: 'A short-lived access token for acting on behalf of a user', body: DelegateBody, response: { 200: DelegateReply } }
  }, async (request) => {
    const body = request.body as Static<typeof DelegateBody>
    const caller = request.identity!.id // svc:<name>
    const { rows } = await app.db.query<{ role: 'owner' | 'admin' | 'member' }>("SELECT role FROM users WHERE id = $1 AND status = 'active'", [body.userId])
    const user = rows[0]
    if (!user) throw genericError('auth', 'NOT_FOUND', 'No such active user')
    const signed = await signAccessToken({ sub: body.userId, role: user.role, act: { sub: caller }, ...(body.ctx ? { ctx: body.ctx } : {}), ttlS: body.ttlS })
    const expiresAt = new Date(Date.now() + signed.expiresIn * 1000).toISOString()
    await withTransaction(app.db, async (client) => {
      await app.audit.record(client, { action: 'auth.token.delegate', outcome: 'success', resourceType: 'user', resourceId: body.userId, details: { ttlS: body.ttlS, ...(body.ctx ? { ctx: body.ctx } : {}), tokenRef: app.audit.hmac(`jti:${signed.jti}`) } }, request)
    })
    return { token: signed.token, expiresAt }
  })

  app.post('/internal/auth/node-keys', {
    config: { allowedCallers: ['gpu-coordinator'] },
    schema: { tags: ['keys'], summary: "Mint a GPU node agent's key (shown once; replaces the node's previous key)", body: NodeKeyBody, response: { 201: NodeKeyReply } }
  }, async (request, reply) => {
    const { nodeName } = request.body as Static<typeof NodeKeyBody>
    return await reply.code(201).send(await service.mintNodeKey(nodeName, request.identity!.id, request))
  })

  app.delete('/internal/auth/node-keys/:nodeName', {
    config: { allowedCallers: ['gpu-coordinator'] },
    schema: { tags: ['keys'], summary: "Revoke a GPU node agent's key", params: NodeKeyParams }
  }, async (request, reply) => {
    await service.revokeNodeKeys((request.params as Static<typeof NodeKeyParams>).nodeName, request.identity!.id, request)
    return await reply.code(204).send()
  })
}
