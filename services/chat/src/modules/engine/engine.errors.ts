// The engine's own codes (SPEC §3.1); the generic ones come from the kit's genericError.
import { createError } from '@robbie/service-kit'

export const ContentTooLong = createError('CHAT_CONTENT_TOO_LONG', 'A message holds at most %s characters', 400)
export const ConversationNotFound = createError('CHAT_CONVERSATION_NOT_FOUND', "Conversation '%s' not found", 404)
export const MessageNotFound = createError('CHAT_MESSAGE_NOT_FOUND', "Message '%s' not found", 404)
export const TooManyPending = createError('CHAT_TOO_MANY_PENDING', 'At most %s messages may wait for an answer in one conversation', 409)
export const NotGenerating = createError('CHAT_NOT_GENERATING', "Message '%s' is not generating", 409)
export const ForbiddenMessage = createError('CHAT_FORBIDDEN', 'This message is not yours', 403)

/** Codes a client may simply retry later (SPEC §3.1 `chat.error.retryable`). */
export const RETRYABLE = new Set(['CHAT_RATE_LIMITED', 'CHAT_TOO_MANY_PENDING', 'CHAT_MODEL_BUSY', 'CHAT_UNAVAILABLE', 'CHAT_NO_MODEL'])
