// Notes' own code (SPEC §3.8); the generic ones (CHAT_NOT_FOUND, CHAT_FORBIDDEN, CHAT_VALIDATION_FAILED) come
// from the kit's genericError.
import { createError } from '@robbie/service-kit'

export const NoteLocked = createError('CHAT_NOTE_LOCKED', 'This note is locked: %s', 409)
