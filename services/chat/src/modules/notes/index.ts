// The notes module (SPEC §3.8) as the rest of chat sees it: NotesApi.relevant for prompt assembly, the service
// functions for the note tools and commands (pass `actorOf(identity, 'robbie')` when Robbie acts, 'user' for
// a command the user typed), the routes and the purge job. In app.ts:
//   const notes = createNotesApi(app)
//   registerNotesJobs(app, notes)
//   await app.register(notesRoutes, { prefix: '/api/chat', notes })
import type { FastifyInstance } from 'fastify'
import { createHints } from '@robbie/bus'
import type { NotesApi } from '../assistant.types.js'
import { createNotesRepository } from './notes.repository.js'
import { createNotesService, type NotesService } from './notes.service.js'

export { notesRoutes } from './notes.routes.js'
export { registerNotesJobs, NOTES_PURGE_JOB } from './notes.jobs.js'
export { actorOf } from './notes.access.js'
export type { NotesService } from './notes.service.js'
export type { CreateNoteBody } from './notes.schemas.js'

export function createNotesApi (app: FastifyInstance, deps: { now?: () => Date } = {}): NotesApi & NotesService {
  const hints = createHints({ redis: app.redis })
  app.addHook('onClose', async () => { await hints.close() })
  return createNotesService({ pool: app.db, repo: createNotesRepository(app.db), log: app.log.child({ module: 'notes' }), hints, ...deps })
}
