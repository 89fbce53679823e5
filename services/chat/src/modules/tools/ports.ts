// What the tools need from chat's own modules, narrowed to what they use (CONVENTIONS §3.4): the personality
// service and the notes service, the latter seen through a small port so a tool call names who acts (the user
// for a typed command, Robbie for a model's call).
import type { Identity } from '@robbie/contracts'
import type { PersonalityApi } from '../assistant.types.js'
import type { PersonalityService } from '../personality/index.js'
import { actorOf, type NotesService } from '../notes/index.js'

type NoteCategory = 'intel' | 'reference' | 'drafts' | 'connections' | 'ideas'
interface NoteRef {
  id: string
  title: string
  content: string
  category: string
  /** where the note's facts came from; a note with a source carries outside content (SPEC §3.4) */
  sourceRef?: { type: string, id: string, url?: string } | null
}

export interface NotesPort {
  create (identity: Identity, note: { title: string, content: string, category?: NoteCategory, author: 'user' | 'robbie' }): Promise<NoteRef>
  /** notes the user may read, best match first; no query: the newest */
  search (identity: Identity, q: string | undefined, limit: number): Promise<NoteRef[]>
  /** undo of a note a command or Robbie created, as that author; a locked note refuses (CHAT_NOTE_LOCKED) */
  remove (identity: Identity, id: string, author: 'user' | 'robbie'): Promise<void>
}

export type NotesServicePart = Pick<NotesService, 'createNote' | 'searchNotes' | 'listNotes' | 'deleteNote'>

export function notesPort (notes: NotesServicePart): NotesPort {
  return {
    async create (identity, n) {
      return await notes.createNote(actorOf(identity, n.author), { title: n.title, content: n.content, ...(n.category ? { category: n.category } : {}) })
    },
    async search (identity, q, limit) {
      return q ? await notes.searchNotes(actorOf(identity), q, limit) : (await notes.listNotes(actorOf(identity), { limit })).items
    },
    async remove (identity, id, author) { await notes.deleteNote(actorOf(identity, author), id) }
  }
}

export type PersonalityPort = Pick<PersonalityApi, 'get' | 'compile'> & Pick<PersonalityService, 'set' | 'presets'>
