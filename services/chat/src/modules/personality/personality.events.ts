// chat.personality.updated.v1 (SPEC §12), through the outbox in the change's own transaction. Priorities reads
// `gandhi` for the user's scores (§4.4) and ignores a version older than the one it holds (§0.4).
import type { NewEvent } from '@robbie/bus'
import type { PersonalityRow } from './personality.repository.js'
import { deriveMood, slidersOf } from './compile.js'

export const personalityUpdated = (row: PersonalityRow, actorId: string, traceId?: string): NewEvent => ({
  type: 'chat.personality.updated.v1',
  subject: { type: 'personality', id: row.userId },
  actor: { type: 'user', id: actorId },
  visibility: 'private',
  ...(traceId ? { traceId } : {}),
  data: { userId: row.userId, values: slidersOf(row), mood: deriveMood(row), version: row.version }
})
