// The chat screen (SPEC §10): conversations beside the transcript, the message box, the no-model banner and the
// personality side panel. Messages go through the socket's outbox, so text typed offline is sent once on reconnect.
import { useCallback, useEffect, useMemo, useState } from 'preact/hooks'
import { api } from '../../lib/api.js'
import { navigate, useRoute } from '../../lib/router.js'
import type { Session } from '../../lib/session.js'
import { ensureChatSocket, useReadable, writable, type Welcome } from '../../lib/ws.js'
import type { QueuedMessage } from '../../lib/offline-queue.js'
import { ErrorNote, Loading, Note } from '../../components/feedback.js'
import { PersonalityPanel } from '../personality/panel.js'
import { Composer } from './composer.js'
import { Conversations } from './conversations.js'
import { Transcript } from './transcript.js'
import type { Command, Page, ToolCall, UiMessage } from './types.js'
import { useConversation } from './use-conversation.js'
import './chat.css'

const noWelcome = writable<Welcome | null>(null)
const noQueue = writable<QueuedMessage[]>([])

function useModelAvailable (socket: ReturnType<typeof ensureChatSocket>): boolean | null {
  const welcome = useReadable(socket?.welcome ?? noWelcome)
  const [available, setAvailable] = useState<boolean | null>(null)
  useEffect(() => { if (welcome) setAvailable(welcome.modelAvailable) }, [welcome])
  useEffect(() => {
    if (!socket) return
    const offNotice = socket.on('chat.notice', (f) => { if (f.code === 'CHAT_NO_MODEL') setAvailable(false) })
    const offMesh = socket.live('mesh', (live) => {
      const data = live.data as { modelAvailable?: unknown } | undefined
      if (typeof data?.modelAvailable === 'boolean') { setAvailable(data.modelAvailable); return }
      api<{ models?: unknown[], totals?: { healthy?: number } }>('GET', '/api/gpu-coordinator/mesh')
        .then((mesh) => { setAvailable((mesh.models?.length ?? 0) > 0 && (mesh.totals?.healthy ?? 0) > 0) }, () => {})
    })
    return () => { offNotice(); offMesh() }
  }, [socket])
  return available
}

export default function ChatScreen ({ session }: { session: Session }) {
  const route = useRoute()
  const conversationId = route.segments[0] === 'chat' ? route.segments[1] ?? null : null
  const focusId = route.query.get('m')
  const socket = useMemo(() => ensureChatSocket(), [session.user.id])
  const [draftId, setDraftId] = useState(() => crypto.randomUUID())
  const [listKey, setListKey] = useState(0)
  const [panel, setPanel] = useState(false)
  const [commands, setCommands] = useState<Command[]>([])
  const admin = session.user.role !== 'member'

  useEffect(() => { document.title = 'Chat · Robbie' }, [])
  useEffect(() => {
    api<Page<Command> | Command[]>('GET', '/api/chat/commands')
      .then((c) => { setCommands(Array.isArray(c) ? c : c.items) }, () => {})
  }, [])

  const onCreated = useCallback((id: string) => {
    navigate(`/chat/${id}`, { replace: true })
    setListKey((k) => k + 1)
  }, [])
  const convo = useConversation(socket, conversationId, draftId, onCreated)
  const [toolOverrides, setToolOverrides] = useState<Record<string, ToolCall>>({})
  const queued = useReadable(socket?.queued ?? noQueue)
  const modelAvailable = useModelAvailable(socket)

  const pending: UiMessage[] = queued
    .filter((q) => (conversationId ? q.conversationId === conversationId : q.conversationId === null && q.draftId === draftId))
    .map((q) => ({ id: q.clientMsgId, conversationId: conversationId ?? '', seq: q.order, role: 'user', content: q.content, status: 'complete', createdAt: new Date(q.order / 1000).toISOString(), notices: [], queued: true }))
  const shown = [...convo.messages, ...pending.filter((p) => !convo.messages.some((m) => m.id === p.id))].map((m) => ({
    ...m, toolCalls: m.toolCalls?.map((c) => toolOverrides[c.id] ?? c)
  }))

  const send = (content: string) => {
    if (!socket) return
    void socket.sendChat({ conversationId, draftId: conversationId ? undefined : draftId, content })
  }
  const stop = () => {
    if (convo.generating) socket?.send({ type: 'chat.stop', messageId: convo.generating.id })
  }
  const newConversation = () => {
    setDraftId(crypto.randomUUID())
    navigate('/chat')
    setTimeout(() => { document.getElementById('chat-input')?.focus() }, 0)
  }

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement | null
      if (e.key !== 'n' || e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || (t && ['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName)) || document.querySelector('dialog[open]')) return
      e.preventDefault()
      newConversation()
    }
    document.addEventListener('keydown', onKey)
    return () => { document.removeEventListener('keydown', onKey) }
  }, [])

  return (
    <section class='chat' aria-labelledby='page-title'>
      <Conversations currentId={conversationId} onNew={newConversation} refreshKey={listKey} />
      <div class='chat-main'>
        <div class='page-head chat-head'>
          <h1 id='page-title' tabIndex={-1}>Chat</h1>
          <div class='page-actions'>
            <button type='button' class='btn btn-small' aria-expanded={panel} aria-controls='personality-panel' onClick={() => { setPanel(!panel) }}>Personality</button>
          </div>
        </div>
        {modelAvailable === false && (
          <Note kind='warn'>
            <span>No language model is connected, so Robbie can't answer free text. Commands still work — try <code>/priorities</code>, <code>/task add …</code>, <code>/help</code>.
              {admin ? <> Add an Ollama node under <a href='/mesh'>GPU mesh</a>.</> : ' An admin can add an Ollama node.'}
            </span>
          </Note>
        )}
        <ErrorNote error={convo.error} />
        {convo.loading && convo.messages.length === 0 && <Loading />}
        {convo.hasOlder && <button type='button' class='btn btn-small' onClick={() => { void convo.loadOlder() }}>Load earlier messages</button>}
        {!convo.loading && shown.length === 0 && (
          <div class='chat-empty muted'>
            <p>Ask Robbie anything, or start with a command: <code>/priorities</code>, <code>/tasks</code>, <code>/task add Call Dana tomorrow</code>, <code>/help</code>.</p>
          </div>
        )}
        <Transcript
          messages={shown} admin={admin} focusId={focusId}
          onTool={(_id, call) => { setToolOverrides((o) => ({ ...o, [call.id]: call })) }}
        />
        {convo.loose && <p class='msg-notice' role='status'>{convo.loose}</p>}
        <Composer
          commands={commands} generating={Boolean(convo.generating)} onSend={send} onStop={stop}
          disabledReason={socket ? undefined : 'Not signed in'}
        />
      </div>
      {panel && (
        <aside id='personality-panel' class='chat-side' aria-label='Personality'>
          <div class='row'>
            <h2>Personality</h2>
            <button type='button' class='btn btn-ghost btn-small chat-side-close' onClick={() => { setPanel(false) }}>Close</button>
          </div>
          <PersonalityPanel compact />
        </aside>
      )}
    </section>
  )
}
