// The actions' own codes (SPEC §3.1, §3.7); the generic ones come from the kit's genericError.
import { createError } from '@robbie/service-kit'

export const ActionNotFound = createError('CHAT_NOT_FOUND', "Action '%s' not found", 404)
export const NotYourAction = createError('CHAT_FORBIDDEN', 'Only the person who asked for an action may decide it', 403)
export const ActionNotPending = createError('CHAT_ACTION_NOT_PENDING', 'The action is %s, not waiting for a decision', 409)
export const TooLateToUndo = createError('CHAT_TOO_LATE_TO_UNDO', '%s', 409)
