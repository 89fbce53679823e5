// Who may change a note (SPEC §3.8, §1.1), decided in one place. Reading is the repository's WHERE: a private
// note of someone else is "not found", like a missing one. Writing, for a note the caller can see:
// - its owner may edit it, lock or unlock it, and delete it when it is not locked;
// - the owner and admins may also edit and delete other people's company notes (keeping the shared memory
//   tidy); members only read them (403);
// - Robbie, acting for a user, may change only notes it wrote in that user's own memory, never a locked one,
//   and never locks or unlocks;
// - nobody deletes a locked note until it is unlocked.
import type { Identity, Role } from '@robbie/contracts'
import { genericError, type RobbieError } from '@robbie/service-kit'
import { NoteLocked } from './notes.errors.js'
import type { NoteRow } from './notes.repository.js'

type NoteBy = 'user' | 'robbie'
export interface NoteActor { userId: string, role?: Role, by: NoteBy }
type NoteOp = 'edit' | 'delete'

/** Robbie acting for the user (tools) or the user themself (routes, typed commands). */
export const actorOf = (identity: Identity, by: NoteBy = 'user'): NoteActor =>
  ({ userId: identity.id, ...(identity.role ? { role: identity.role } : {}), by })

const forbidden = (message: string) => genericError('chat', 'FORBIDDEN', message)

export function refusal (actor: NoteActor, note: Pick<NoteRow, 'userId' | 'visibility' | 'author' | 'locked'>, op: NoteOp, touchesLock = false): RobbieError | null {
  if (actor.by === 'robbie') {
    if (note.userId !== actor.userId) return forbidden('Robbie changes only notes in your own memory')
    if (note.locked) return new NoteLocked(`Robbie may not ${op} it`)
    if (note.author !== 'robbie') return forbidden('Robbie changes only the notes it wrote')
    if (touchesLock) return forbidden('Only people lock and unlock notes')
    return null
  }
  const own = note.userId === actor.userId
  const moderator = note.visibility === 'company' && (actor.role === 'owner' || actor.role === 'admin')
  if (!own && !moderator) return forbidden('Only its author, the owner or an admin may change this note')
  if (op === 'delete' && note.locked) return new NoteLocked('unlock it before deleting it')
  return null
}
