// SPEC §3.8: expired notes are hidden at once (every read filters them) and purged 30 days later, hourly, as
// a kit job (one replica at a time, a run record each, SPEC §0.6).
import type { FastifyInstance } from 'fastify'
import type { NotesService } from './notes.service.js'

export const NOTES_PURGE_JOB = 'notes-purge'

export function registerNotesJobs (app: FastifyInstance, notes: Pick<NotesService, 'purgeExpired'>, opts: { everyMs?: number } = {}): void {
  app.jobs.schedule({
    name: NOTES_PURGE_JOB,
    everyMs: opts.everyMs ?? 3_600_000,
    run: async () => ({ purged: await notes.purgeExpired() })
  })
}
