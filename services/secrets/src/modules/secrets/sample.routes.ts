// Sample data (SPEC §11.6), loaded and removed by auth for the owner: one secret already due for rotation, so the
// secrets screen and the rotation-due task show up in a fresh install. Idempotent both ways; only rows marked
// `sample` are ever removed. The value is random: sample data never ships a usable credential.
import { randomBytes } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import { Type, type Static } from 'typebox'
import { Id, ROLE_SCOPES, type Identity } from '@robbie/contracts'
import type { SecretsService } from './secrets.service.js'

const Body = Type.Object({ ownerUserId: Id }, { additionalProperties: false })
type Body = Static<typeof Body>
const Counts = Type.Object({ secrets: Type.Integer(), loaded: Type.Boolean() })
const ADDRESS = { service: 'sample', name: 'crm-api-token', scope: 'global' as const, scopeId: '' }

export async function sampleRoutes (app: FastifyInstance, opts: { service: SecretsService }): Promise<void> {
  const config = { allowedCallers: ['auth'] }
  const schema = { tags: ['sample data'], body: Body, response: { 200: Counts } }
  const count = async () => (await app.db.query('SELECT count(*)::int AS n FROM secrets WHERE sample AND deleted_at IS NULL')).rows[0].n as number

  app.post('/internal/secrets/sample-data', { config, schema: { ...schema, summary: 'Load the sample secret (idempotent)' } }, async (request) => {
    const { ownerUserId } = request.body as Body
    if (await count() > 0) return { secrets: await count(), loaded: true }
    // written as the owner (auth acts for them), so the audit row and created_by name the owner
    const owner: Identity = { kind: 'user', id: ownerUserId, role: 'owner', scopes: [...ROLE_SCOPES.owner], actor: { id: 'svc:auth' } }
    const { secret } = await opts.service.put(owner, ADDRESS, {
      value: `sample_${randomBytes(18).toString('base64url')}`,
      rotationIntervalDays: 90,
      metadata: { description: 'Sample data: a CRM token that is due for rotation', tags: ['sample'] }
    }, { request })
    // due yesterday: the rotation-due job picks it up on its next run
    await app.db.query("UPDATE secrets SET sample = true, rotation_due_at = now() - interval '1 day' WHERE id = $1", [secret.id])
    return { secrets: await count(), loaded: true }
  })

  app.delete('/internal/secrets/sample-data', { config, schema: { ...schema, summary: 'Remove the sample secret (idempotent)' } }, async () => {
    await app.db.query('DELETE FROM secrets WHERE sample')
    return { secrets: 0, loaded: false }
  })
}
