// Rows → the API's Conversation and Message (SPEC §3.2); optional fields only when they have a value.
import type { ConversationRow, MessageRow } from './conversations.repository.js'
import type { ConversationView, MessageView } from './conversations.schemas.js'

export const toConversationView = (c: ConversationRow): ConversationView => ({
  id: c.id,
  title: c.title,
  channel: c.channel,
  status: c.status === 'archived' ? 'archived' : 'active',
  pinned: c.pinned,
  createdAt: c.createdAt.toISOString(),
  updatedAt: c.updatedAt.toISOString(),
  lastMessageAt: c.lastMessageAt?.toISOString() ?? null,
  messageCount: c.messageCount
})

/** `textSoFar` stands in for the content of a message still streaming. */
export function toMessageView (m: MessageRow, textSoFar?: string): MessageView {
  return {
    id: m.id,
    conversationId: m.conversationId,
    seq: m.seq,
    role: m.role,
    content: m.status === 'streaming' && textSoFar !== undefined ? textSoFar : m.content,
    status: m.status,
    createdAt: m.createdAt.toISOString(),
    ...(m.model ? { model: m.model } : {}),
    ...(m.node ? { node: m.node } : {}),
    ...(m.routeRequestId ? { routeRequestId: m.routeRequestId } : {}),
    ...(m.tokensIn !== null ? { tokensIn: m.tokensIn } : {}),
    ...(m.tokensOut !== null ? { tokensOut: m.tokensOut } : {}),
    ...(m.latencyMs !== null ? { latencyMs: m.latencyMs } : {}),
    ...(m.toolCalls && m.toolCalls.length > 0 ? { toolCalls: m.toolCalls } : {}),
    taint: m.taint,
    redactions: m.redactions
  }
}
