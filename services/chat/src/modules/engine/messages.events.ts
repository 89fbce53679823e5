// chat.message.created.v1 {conversationId, messageId, role, channel} (SPEC §12): ids only, never the content.
// A conversation is private to its user, and so is the event.
import type { NewEvent } from '@robbie/bus'

export const messageCreated = (m: { id: string, conversationId: string, role: string, userId: string, taint: boolean }, channel: string, traceId?: string): NewEvent => ({
  type: 'chat.message.created.v1',
  subject: { type: 'message', id: m.id },
  actor: m.role === 'user' ? { type: 'user', id: m.userId } : { type: 'service', id: 'svc:chat' },
  visibility: 'private',
  taint: m.taint,
  ...(traceId ? { traceId } : {}),
  data: { conversationId: m.conversationId, messageId: m.id, role: m.role, channel }
})
