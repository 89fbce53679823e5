// Seal status, unseal and master-key rotation (SPEC §5.3), mounted under /api/secrets. seal-status and unseal
// answer while sealed (the keyring's hook lets them through).
import type { FastifyInstance } from 'fastify'
import type { MasterKeyService } from './master-key.service.js'
import { RotateBody, RotateReply, SealStatus, UnsealBody } from './secrets.schemas.js'

export async function sealRoutes (app: FastifyInstance, opts: { service: MasterKeyService }): Promise<void> {
  const { service } = opts

  app.get('/seal-status', {
    config: { roles: ['owner', 'admin', 'member'] },
    schema: { tags: ['seal'], summary: 'Sealed or not, key ids, data keys, re-wrap progress (every signed-in user)', response: { 200: SealStatus } }
  }, async () => await service.status())

  app.post('/unseal', {
    config: { roles: ['owner'], limit: 'sensitive' },
    schema: { tags: ['seal'], summary: 'Unseal this replica with the master key (owner; held in memory only)', body: UnsealBody, response: { 200: SealStatus } }
  }, async (request) => await service.unseal(request.identity!, (request.body as { key: string }).key, request))

  app.post('/master-key/rotate', {
    config: { roles: ['owner'], limit: 'sensitive', idempotent: true },
    schema: { tags: ['seal'], summary: 'Re-wrap every data key under the current master key, online (owner)', body: RotateBody, response: { 202: RotateReply } }
  }, async (request, reply) => await reply.code(202).send(await service.rotate(request)))
}
