// Secrets made through the service layer (not HTTP): fast seeding for tests that need many.
import type { FastifyInstance } from 'fastify'
import { createSecretsService, type PutInput } from '../src/modules/secrets/secrets.service.js'
import { createSecretsRepository, type Address } from '../src/modules/secrets/secrets.repository.js'
import { ownerIdentity } from '../src/modules/secrets/access.js'

export function secretsService (app: FastifyInstance) {
  return createSecretsService({ pool: app.db, repo: createSecretsRepository(app.db), keyring: app.keyring, outbox: app.outbox, audit: app.audit })
}

export async function makeSecret (app: FastifyInstance, address: Partial<Address> & { name: string }, body: PutInput) {
  const a: Address = { service: 'smtp', scope: 'global', scopeId: '', ...address }
  return (await secretsService(app).put(ownerIdentity('test-owner'), a, body)).secret
}
