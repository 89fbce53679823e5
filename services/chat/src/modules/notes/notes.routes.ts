// Notes routes (SPEC §3.8), mounted under /api/chat. Thin handlers: the service decides visibility (404 for a
// note the caller may not see) and who may change what (403, 409 CHAT_NOTE_LOCKED).
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { actorOf } from './notes.access.js'
import type { NotesService } from './notes.service.js'
import { CreateNoteBody, ListNotesQuery, NotePage, NoteParams, NoteView, PatchNoteBody } from './notes.schemas.js'

/** A person acting through the API (Robbie's own changes come through the tools with `by: 'robbie'`). */
const personOf = (request: FastifyRequest) => actorOf(request.identity!, 'user')
const idOf = (request: FastifyRequest) => (request.params as { id: string }).id

export async function notesRoutes (app: FastifyInstance, opts: { notes: NotesService }): Promise<void> {
  const { notes } = opts
  const read = { scope: 'chat:read' }
  const write = { scope: 'chat:write' }
  const tags = ['notes']

  app.get('/notes', {
    config: read,
    schema: { tags, summary: 'Your notes and the company’s: newest first, or ranked by a full-text query', querystring: ListNotesQuery, response: { 200: NotePage } }
  }, async (request) => await notes.listNotes(personOf(request), request.query as ListNotesQuery))

  app.post('/notes', {
    config: { ...write, idempotent: true },
    schema: { tags, summary: 'Create a note (private unless said otherwise)', body: CreateNoteBody, response: { 201: NoteView } }
  }, async (request, reply) => await reply.code(201).send(await notes.createNote(personOf(request), request.body as CreateNoteBody)))

  app.get('/notes/:id', {
    config: read,
    schema: { tags, summary: 'One note', params: NoteParams, response: { 200: NoteView } }
  }, async (request) => await notes.getNote(personOf(request), idOf(request)))

  app.patch('/notes/:id', {
    config: write,
    schema: { tags, summary: 'Change a note; lock or unlock it', params: NoteParams, body: PatchNoteBody, response: { 200: NoteView } }
  }, async (request) => await notes.updateNote(personOf(request), idOf(request), request.body as PatchNoteBody))

  app.delete('/notes/:id', {
    config: write,
    schema: { tags, summary: 'Delete a note (unlock it first)', params: NoteParams }
  }, async (request, reply) => {
    await notes.deleteNote(personOf(request), idOf(request))
    return await reply.code(204).send()
  })
}
