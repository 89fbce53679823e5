// The notes use cases (SPEC §3.8): CRUD for people and for Robbie (`by: 'robbie'`, through the tools), lists
// and search, and `relevant` for prompt assembly (§3.4). Inputs are validated here too, because the tools and
// commands call these functions without a route's schema. Live `notes` hints go out after each commit.
import type { FastifyBaseLogger } from 'fastify'
import { uuidv7 } from '@robbie/contracts'
import { withTransaction, type Pool } from '@robbie/db'
import type { Hints } from '@robbie/bus'
import { genericError } from '@robbie/service-kit'
import { assertValid, defined } from '../personality/validate.js'
import { refusal, type NoteActor } from './notes.access.js'
import { decodeCursor, encodeCursor } from './notes.cursor.js'
import type { NoteFields, NoteRow, NotesRepository } from './notes.repository.js'
import { CreateNoteBody, ListNotesQuery, PatchNoteBody, type NoteView } from './notes.schemas.js'

interface NotesDeps {
  pool: Pool
  repo: NotesRepository
  log: FastifyBaseLogger
  hints?: Pick<Hints, 'live'>
  now?: () => Date
}

const PURGE_AFTER_DAYS = 30
const DAY_MS = 86_400_000
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const MAX_QUERY_WORDS = 64

const toNoteView = (n: NoteRow): NoteView => ({
  id: n.id,
  userId: n.userId,
  title: n.title,
  content: n.content,
  category: n.category,
  author: n.author,
  visibility: n.visibility,
  locked: n.locked,
  tags: n.tags,
  sourceRef: n.sourceRef,
  expiresAt: n.expiresAt?.toISOString() ?? null,
  createdAt: n.createdAt.toISOString(),
  updatedAt: n.updatedAt.toISOString()
})

const invalid = (path: string, rule: string, message: string) => genericError('chat', 'VALIDATION_FAILED', message, { details: [{ path, rule }] })
const notFound = () => genericError('chat', 'NOT_FOUND', 'No such note')

/** The words of a message as an OR query: memory should surface a note that shares any word, best first. */
export function anyWordQuery (text: string): string | null {
  const words = [...new Set(text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [])].filter((w) => w.length > 1).slice(0, MAX_QUERY_WORDS)
  return words.length > 0 ? words.join(' | ') : null
}

export function createNotesService (deps: NotesDeps) {
  const now = deps.now ?? (() => new Date())

  /** Title trimmed and non-empty, expiry in the future: the checks a JSON schema cannot make. */
  function checked<T extends { title?: string, expiresAt?: string | null }> (input: T, at: Date): T {
    const title = input.title?.trim()
    if (title === '') throw invalid('body/title', 'minLength', 'A note needs a title')
    if (input.expiresAt) {
      // a leap second or 30 February can pass the format check but is no Date (nor a Postgres timestamp)
      const expiresAt = Date.parse(input.expiresAt)
      if (Number.isNaN(expiresAt)) throw invalid('body/expiresAt', 'format', 'Not a valid time')
      if (expiresAt <= at.getTime()) throw invalid('body/expiresAt', 'future', 'An expiry must lie in the future')
    }
    return title === undefined ? input : { ...input, title }
  }

  async function visible (actor: NoteActor, id: string, at: Date, client?: Parameters<NotesRepository['findVisible']>[3], lock = false) {
    const note = UUID_RE.test(id) ? await deps.repo.findVisible(id, actor.userId, at, client, lock) : null
    if (!note) throw notFound()
    return note
  }

  function announce (event: 'note.created' | 'note.updated' | 'note.deleted', ...notes: NoteRow[]): void {
    if (!deps.hints) return
    const userIds = notes.some((n) => n.visibility === 'company') ? 'company' : [notes[0]!.userId]
    deps.hints.live({ userIds, topic: 'notes', event, data: { id: notes[0]!.id } }).catch((err: unknown) => {
      deps.log.warn({ err }, 'notes live hint failed') // lossy by design: the UI refetches
    })
  }

  async function listNotes (actor: NoteActor, query: Partial<ListNotesQuery>): Promise<{ items: NoteView[], nextCursor: string | null }> {
    const f = { limit: 50, ...defined(query) }
    assertValid(ListNotesQuery, f, 'querystring')
    const cursor = f.cursor === undefined ? undefined : decodeCursor(f.cursor, f.q !== undefined)
    const rows = await deps.repo.list({
      userId: actor.userId, at: now(), category: f.category, author: f.author, q: f.q, limit: f.limit, ...cursor
    })
    const items = rows.slice(0, f.limit)
    const more = rows.length > f.limit
    const nextCursor = !more ? null : f.q === undefined ? encodeCursor({ id: items.at(-1)!.id }) : encodeCursor({ o: (cursor && 'offset' in cursor ? cursor.offset : 0) + f.limit })
    return { items: items.map(toNoteView), nextCursor }
  }

  return {
    async createNote (actor: NoteActor, input: CreateNoteBody): Promise<NoteView> {
      assertValid(CreateNoteBody, defined(input))
      const at = now()
      const body = checked(defined(input), at)
      if (actor.by === 'robbie' && body.locked) throw genericError('chat', 'FORBIDDEN', 'Only people lock and unlock notes')
      const note = await deps.repo.insert({
        id: uuidv7(),
        userId: actor.userId,
        title: body.title,
        content: body.content ?? '',
        category: body.category ?? 'reference',
        author: actor.by,
        visibility: body.visibility ?? 'private',
        locked: body.locked ?? false,
        tags: body.tags ?? [],
        sourceRef: body.sourceRef ?? null,
        expiresAt: body.expiresAt ? new Date(body.expiresAt) : null
      }, at)
      announce('note.created', note)
      return toNoteView(note)
    },

    async getNote (actor: NoteActor, id: string): Promise<NoteView> {
      return toNoteView(await visible(actor, id, now()))
    },

    listNotes,

    /** The note_search tool and `/notes <query>`: the best `limit` matches (websearch syntax). */
    async searchNotes (actor: NoteActor, q: string, limit = 10): Promise<NoteView[]> {
      return (await listNotes(actor, { q, limit })).items
    },

    async updateNote (actor: NoteActor, id: string, patch: PatchNoteBody): Promise<NoteView> {
      assertValid(PatchNoteBody, defined(patch))
      const at = now()
      const body = checked(defined(patch), at)
      const [before, after] = await withTransaction(deps.pool, async (client) => {
        const note = await visible(actor, id, at, client, true)
        const refused = refusal(actor, note, 'edit', body.locked !== undefined && body.locked !== note.locked)
        if (refused) throw refused
        const fields: NoteFields = {
          title: body.title ?? note.title,
          content: body.content ?? note.content,
          category: body.category ?? note.category,
          visibility: body.visibility ?? note.visibility,
          locked: body.locked ?? note.locked,
          tags: body.tags ?? note.tags,
          sourceRef: body.sourceRef === undefined ? note.sourceRef : body.sourceRef,
          expiresAt: body.expiresAt === undefined ? note.expiresAt : body.expiresAt === null ? null : new Date(body.expiresAt)
        }
        return [note, await deps.repo.update(note.id, fields, at, client)] as const
      })
      announce('note.updated', after, before)
      return toNoteView(after)
    },

    async deleteNote (actor: NoteActor, id: string): Promise<void> {
      const at = now()
      const note = await withTransaction(deps.pool, async (client) => {
        const found = await visible(actor, id, at, client, true)
        const refused = refusal(actor, found, 'delete')
        if (refused) throw refused
        await deps.repo.remove(found.id, client)
        return found
      })
      announce('note.deleted', note)
    },

    /** NotesApi.relevant (SPEC §3.4): notes the user may read sharing words with `text`, ranked, at most `limit`. */
    async relevant (userId: string, text: string, limit: number): Promise<{ id: string, title: string, content: string }[]> {
      const query = anyWordQuery(text)
      if (query === null || limit < 1) return []
      const rows = await deps.repo.matching(userId, now(), query, Math.min(limit, 50))
      return rows.map((n) => ({ id: n.id, title: n.title, content: n.content }))
    },

    /** The notes-purge job: notes expired more than 30 days ago are deleted, locked or not (the expiry was chosen). */
    async purgeExpired (): Promise<number> {
      return await deps.repo.purgeExpired(new Date(now().getTime() - PURGE_AFTER_DAYS * DAY_MS))
    }
  }
}
export type NotesService = ReturnType<typeof createNotesService>
