// One conversation's transcript: loaded by REST, then kept current by the socket's frames (SPEC §3.1). Deltas are
// kept by index, so a replay after `chat.attach` or a resume never doubles or reorders text.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks'
import { api, qs } from '../../lib/api.js'
import type { ChatSocket, Frame } from '../../lib/ws.js'
import type { Message, Page, ToolCall, UiMessage } from './types.js'

const PAGE = 50

const toUi = (m: Message): UiMessage => ({ ...m, notices: [], parts: m.status === 'streaming' ? [] : undefined })

function statusOf (reason: unknown): UiMessage['status'] {
  return reason === 'complete' ? 'complete' : reason === 'stopped' ? 'stopped' : 'failed'
}

export interface ConversationState {
  messages: UiMessage[]
  loading: boolean
  error: unknown
  hasOlder: boolean
  loadOlder: () => Promise<void>
  /** the assistant message being generated, if any */
  generating: UiMessage | undefined
  /** a notice not tied to a message (e.g. a protocol error) */
  loose: string | null
}

/**
 * `conversationId` null is a new conversation not yet created; `onCreated` fires when the server accepted its first
 * message (the caller navigates to the new id, and this hook keeps its state rather than reloading).
 */
export function useConversation (socket: ChatSocket | null, conversationId: string | null, draftId: string,
  onCreated: (id: string) => void): ConversationState {
  const [messages, setMessages] = useState<UiMessage[]>([])
  const [loading, setLoading] = useState(false)
  const [error, setError] = useState<unknown>(null)
  const [hasOlder, setHasOlder] = useState(false)
  const [loose, setLoose] = useState<string | null>(null)
  const adopted = useRef<string | null>(null)
  const shown = useRef<UiMessage[]>([])
  shown.current = messages
  const current = useRef(conversationId)
  current.current = conversationId
  const draft = useRef(draftId)
  draft.current = draftId

  const update = useCallback((id: string, fn: (m: UiMessage) => UiMessage) => {
    setMessages((list) => list.map((m) => (m.id === id ? fn(m) : m)))
  }, [])

  // Streaming messages are re-read from the start through the socket: their REST text may be mid-delta.
  const attachStreaming = useCallback((list: UiMessage[]) => {
    for (const m of list) {
      if (m.role === 'assistant' && m.status === 'streaming') socket?.send({ type: 'chat.attach', messageId: m.id, fromIndex: 0 })
    }
  }, [socket])

  const load = useCallback(async (id: string) => {
    setLoading(true)
    try {
      const page = await api<Page<Message>>('GET', `/api/chat/conversations/${id}/messages${qs({ limit: PAGE })}`)
      if (current.current !== id) return
      const list = page.items.map((m) => (m.status === 'streaming' ? { ...toUi(m), content: '' } : toUi(m)))
      setMessages(list)
      setHasOlder(page.items.length === PAGE)
      setError(null)
      attachStreaming(list)
    } catch (err) {
      if (current.current === id) setError(err)
    } finally {
      if (current.current === id) setLoading(false)
    }
  }, [attachStreaming])

  useEffect(() => {
    setLoose(null)
    if (conversationId === null) { setMessages([]); setHasOlder(false); setError(null); return }
    if (adopted.current === conversationId) { adopted.current = null; return } // the draft just became this one
    setMessages([])
    void load(conversationId)
  }, [conversationId, load])

  const loadOlder = useCallback(async () => {
    const first = messages.find((m) => !m.queued)
    if (!conversationId || !first) return
    const page = await api<Page<Message>>('GET', `/api/chat/conversations/${conversationId}/messages${qs({ before: first.id, limit: PAGE })}`)
    setHasOlder(page.items.length === PAGE)
    setMessages((list) => [...page.items.map(toUi), ...list])
  }, [conversationId, messages])

  useEffect(() => {
    if (!socket) return
    const offs = [
      socket.on('chat.accepted', (f: Frame) => {
        const queued = socket.queued.get().find((q) => q.clientMsgId === f.clientMsgId)
        const mine = queued && (queued.conversationId === current.current || (queued.conversationId === null && queued.draftId === draft.current))
        if (!mine || !queued) {
          // another tab of this user wrote here: read it again
          if (f.conversationId === current.current && current.current) void load(current.current)
          return
        }
        const convId = String(f.conversationId)
        const now = new Date().toISOString()
        const user: UiMessage = { id: String(f.userMessageId), conversationId: convId, seq: Number.MAX_SAFE_INTEGER - 1, role: 'user', content: queued.content, status: 'complete', createdAt: now, notices: [] }
        const reply: UiMessage = { id: String(f.assistantMessageId), conversationId: convId, seq: Number.MAX_SAFE_INTEGER, role: 'assistant', content: '', parts: [], status: 'streaming', createdAt: now, notices: [] }
        setMessages((list) => [...list.filter((m) => m.id !== user.id && m.id !== reply.id), user, reply])
        if (current.current === null) { adopted.current = convId; onCreated(convId) }
      }),
      socket.on('chat.thinking', (f) => { update(String(f.messageId), (m) => ({ ...m, thinking: String(f.text) })) }),
      socket.on('chat.delta', (f) => {
        const index = Number(f.index)
        update(String(f.messageId), (m) => {
          const parts = [...(m.parts ?? [])]
          parts[index] = String(f.text)
          return { ...m, parts, thinking: undefined }
        })
      }),
      socket.on('chat.tool', (f) => {
        const call = f.call as ToolCall
        update(String(f.messageId), (m) => {
          const calls = m.toolCalls ?? []
          const next = calls.some((c) => c.id === call.id) ? calls.map((c) => (c.id === call.id ? call : c)) : [...calls, call]
          return { ...m, toolCalls: next }
        })
      }),
      socket.on('chat.notice', (f) => {
        const notice = { code: String(f.code), text: String(f.text) }
        if (typeof f.messageId === 'string') update(f.messageId, (m) => ({ ...m, notices: [...m.notices.filter((n) => n.code !== notice.code || n.text !== notice.text), notice] }))
        else setLoose(notice.text)
      }),
      socket.on('chat.done', (f) => {
        const usage = (f.usage ?? {}) as { tokensIn?: number, tokensOut?: number, ms?: number }
        update(String(f.messageId), (m) => ({
          ...m,
          status: statusOf(f.reason),
          thinking: undefined,
          model: typeof f.model === 'string' ? f.model : m.model,
          node: typeof f.node === 'string' ? f.node : m.node,
          tokensOut: usage.tokensOut ?? m.tokensOut,
          latencyMs: usage.ms ?? m.latencyMs
        }))
        // the stored message also names its routing decision (admins link to it)
        const id = String(f.messageId)
        if (shown.current.some((m) => m.id === id)) {
          api<Message>('GET', `/api/chat/messages/${id}`)
            .then((m) => { update(id, (x) => ({ ...x, routeRequestId: m.routeRequestId, latencyMs: m.latencyMs ?? x.latencyMs })) }, () => {})
        }
      }),
      socket.on('chat.error', (f) => {
        const text = String(f.message ?? f.code)
        if (typeof f.messageId === 'string') update(f.messageId, (m) => ({ ...m, error: text }))
        else setLoose(text)
      }),
      // a new server session means frames were lost: read the conversation again
      socket.on('reconnected', (f) => { if (!f.resumed && current.current) void load(current.current) })
    ]
    return () => { for (const off of offs) off() }
  }, [socket, update, load, onCreated])

  const generating = messages.find((m) => m.role === 'assistant' && m.status === 'streaming')
  return { messages, loading, error, hasOlder, loadOlder, generating, loose }
}
