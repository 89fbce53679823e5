// The chat REST shapes (SPEC §3.2, services/chat conversations.schemas.ts) and the transcript's own view of a
// message while it streams.

export type ToolStatus = 'proposed' | 'running' | 'done' | 'needs_approval' | 'rejected' | 'failed'
export interface ToolCall {
  id: string
  tool: string
  args: Record<string, unknown>
  status: ToolStatus
  actionId?: string
  result?: unknown
}

export interface Message {
  id: string
  conversationId: string
  seq: number
  role: 'user' | 'assistant' | 'tool' | 'notice'
  content: string
  status: 'complete' | 'streaming' | 'stopped' | 'failed'
  createdAt: string
  model?: string
  node?: string
  routeRequestId?: string
  tokensIn?: number
  tokensOut?: number
  latencyMs?: number
  toolCalls?: ToolCall[]
  taint: boolean
  redactions: number
}

export interface Conversation {
  id: string
  title: string
  channel: string
  status: 'active' | 'archived'
  pinned: boolean
  createdAt: string
  updatedAt: string
  lastMessageAt: string | null
  messageCount: number
}

export interface SearchHit { conversationId: string, messageId: string, role: string, snippet: string, at: string }
export interface Command { name: string, usage: string, description: string }
export interface Page<T> { items: T[], nextCursor: string | null }

export interface Notice { code: string, text: string }

/** A message as the transcript shows it: REST fields plus what the socket added while it streamed. */
export interface UiMessage extends Omit<Message, 'seq' | 'taint' | 'redactions'> {
  seq: number
  /** deltas by index; the shown text is `content` followed by the contiguous parts from 0 */
  parts?: string[]
  thinking?: string
  notices: Notice[]
  error?: string
  /** still in the offline outbox */
  queued?: boolean
  queueMs?: number
}

export const shownText = (m: UiMessage): string => {
  if (!m.parts) return m.content
  let text = m.content
  for (let i = 0; i < m.parts.length; i++) {
    const part = m.parts[i]
    if (part === undefined) break
    text += part
  }
  return text
}
