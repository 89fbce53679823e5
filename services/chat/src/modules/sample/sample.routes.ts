// POST|DELETE /internal/chat/sample-data {ownerUserId} (SPEC §11.6): auth loads or removes chat's share of the
// sample data for the owner. Only auth may call; both calls are idempotent and answer the counts left loaded.
import type { FastifyInstance } from 'fastify'
import { Type, type Static } from 'typebox'
import { Id } from '@robbie/contracts'
import { createConversationsRepository } from '../conversations/conversations.repository.js'
import type { Directory } from '../engine/directory.js'
import type { NotesService } from '../notes/index.js'
import { createSampleRepository } from './sample.repository.js'
import { createSampleService } from './sample.service.js'

const Body = Type.Object({ ownerUserId: Id }, { additionalProperties: false })
type Body = Static<typeof Body>
const Counts = Type.Object({ notes: Type.Integer(), conversations: Type.Integer(), loaded: Type.Boolean() }, { additionalProperties: false })

export async function sampleRoutes (app: FastifyInstance, opts: { notes: Pick<NotesService, 'createNote'>, directory: Pick<Directory, 'user'> }): Promise<void> {
  const sample = createSampleService({
    pool: app.db,
    repo: createSampleRepository(app.db),
    conversations: createConversationsRepository(app.db),
    notes: opts.notes,
    outbox: app.outbox,
    directory: opts.directory
  })
  const config = { allowedCallers: ['auth'] }
  const schema = { tags: ['sample data'], body: Body, response: { 200: Counts } }

  app.post('/internal/chat/sample-data', { config, schema: { ...schema, summary: 'Load the sample notes and welcome conversation for the owner (idempotent)' } }, async (request) => {
    return { ...await sample.load((request.body as Body).ownerUserId, request.id), loaded: true }
  })

  app.delete('/internal/chat/sample-data', { config, schema: { ...schema, summary: 'Remove every sample note and conversation (idempotent)' } }, async (request) => {
    return { ...await sample.remove((request.body as Body).ownerUserId), loaded: false }
  })
}
