// Events of SPEC §12 about users: ids and small facts only.
import type { Identity } from '@robbie/contracts'
import type { NewEvent } from '@robbie/bus'
import type { UserRow } from './users.repository.js'

const actorOf = (identity?: Identity): NewEvent['actor'] => identity
  ? { type: identity.kind === 'user' ? 'user' : 'service', id: identity.id }
  : { type: 'system', id: 'auth' }

export const userCreated = (user: UserRow, by?: Identity): NewEvent<{ userId: string, role: string }> => ({
  type: 'auth.user.created.v1',
  subject: { type: 'user', id: user.id },
  actor: actorOf(by),
  data: { userId: user.id, role: user.role }
})

/** Every service evicts its caches of this user; disabling also makes B2's key module revoke the user's keys. */
export const userUpdated = (user: UserRow, by?: Identity): NewEvent<{ userId: string, role: string, status: string, version: number }> => ({
  type: 'auth.user.updated.v1',
  subject: { type: 'user', id: user.id },
  actor: actorOf(by),
  data: { userId: user.id, role: user.role, status: user.status, version: user.version }
})
