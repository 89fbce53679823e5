// The transcript: messages (Markdown from the safe subset), the "thinking" line, tool cards with inline approval,
// notices, and for admins the node, model and timing of each reply with a link to its routing decision.
import { Fragment } from 'preact'
import { useEffect, useMemo, useRef, useState } from 'preact/hooks'
import { api } from '../../lib/api.js'
import { renderMarkdown } from '../../lib/markdown.js'
import { toast } from '../../lib/toasts.js'
import { Badge } from '../../components/feedback.js'
import { Time } from '../../components/time.js'
import { shownText, type ToolCall, type UiMessage } from './types.js'

const TOOL_STATUS: Record<ToolCall['status'], { label: string, kind: 'neutral' | 'good' | 'warn' | 'bad' | 'info' }> = {
  proposed: { label: 'Proposed', kind: 'info' },
  needs_approval: { label: 'Needs approval', kind: 'warn' },
  running: { label: 'Running…', kind: 'info' },
  done: { label: 'Done', kind: 'good' },
  rejected: { label: 'Rejected', kind: 'neutral' },
  failed: { label: 'Failed', kind: 'bad' }
}

const TOOL_NAMES: Record<string, string> = {
  priorities_surface: 'Read priorities',
  priorities_search: 'Search priorities',
  task_create: 'Create a task',
  task_update: 'Update a task',
  task_complete: 'Complete a task',
  note_create: 'Save a note',
  note_search: 'Search notes',
  email_draft: 'Draft an email',
  calendar_propose: 'Propose a meeting',
  mesh_status: 'Check the GPU mesh'
}

function short (value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value)
  return text.length > 160 ? `${text.slice(0, 157)}…` : text
}

function ToolCard ({ call, onDecided }: { call: ToolCall, onDecided: (status: ToolCall['status']) => void }) {
  const [busy, setBusy] = useState(false)
  const decide = async (verb: 'approve' | 'reject') => {
    if (!call.actionId) return
    setBusy(true)
    try {
      await api('POST', `/api/chat/actions/${call.actionId}/${verb}`, {})
      onDecided(verb === 'approve' ? 'running' : 'rejected')
      toast(verb === 'approve' ? 'Approved' : 'Rejected')
    } catch (err) {
      toast((err as Error).message, 'error')
    } finally {
      setBusy(false)
    }
  }
  const status = TOOL_STATUS[call.status] ?? { label: call.status, kind: 'neutral' as const }
  const args = Object.entries(call.args).filter(([k]) => k !== 'confidence')
  const name = TOOL_NAMES[call.tool] ?? call.tool
  return (
    <div class='tool-card' role='group' aria-label={`Tool: ${name}`}>
      <div class='row'>
        <strong>{name}</strong>
        <Badge kind={status.kind}>{status.label}</Badge>
      </div>
      {args.length > 0 && (
        <dl class='kv tool-args'>
          {args.map(([k, v]) => <Fragment key={k}><dt>{k}</dt><dd>{short(v)}</dd></Fragment>)}
        </dl>
      )}
      {call.status === 'done' && call.result !== undefined && <p class='muted tool-result'>{short(call.result)}</p>}
      {call.status === 'needs_approval' && call.actionId && (
        <div class='row'>
          <button type='button' class='btn btn-primary btn-small' disabled={busy} onClick={() => { void decide('approve') }}>Approve</button>
          <button type='button' class='btn btn-small' disabled={busy} onClick={() => { void decide('reject') }}>Reject</button>
          <a href='/approvals' class='muted'>All approvals</a>
        </div>
      )}
    </div>
  )
}

function Meta ({ m, admin }: { m: UiMessage, admin: boolean }) {
  if (!admin || m.role !== 'assistant' || m.status === 'streaming' || (!m.node && !m.model)) return null
  const bits = [m.node && `node ${m.node}`, m.model && `model ${m.model}`, m.latencyMs !== undefined && `${(m.latencyMs / 1000).toFixed(1)} s`,
    m.tokensOut !== undefined && `${m.tokensOut} tokens`].filter(Boolean)
  return (
    <p class='msg-meta muted'>
      {bits.join(' · ')}
      {m.routeRequestId && <> · <a href={`/mesh?requestId=${encodeURIComponent(m.routeRequestId)}#decisions`}>routing decision</a></>}
    </p>
  )
}

function Bubble ({ m, admin, onTool }: { m: UiMessage, admin: boolean, onTool: (id: string, call: ToolCall) => void }) {
  const text = shownText(m)
  const body = useMemo(() => renderMarkdown(text), [text])
  const who = m.role === 'user' ? 'You' : 'Robbie'
  return (
    <li id={`msg-${m.id}`} class={`msg msg-${m.role}`} aria-busy={m.status === 'streaming'}>
      <div class='msg-head'>
        <span class='msg-who'>{who}</span>
        {m.queued ? <Badge kind='warn'>queued</Badge> : <span class='muted'><Time iso={m.createdAt} /></span>}
        {m.status === 'stopped' && <Badge>stopped</Badge>}
        {m.status === 'failed' && <Badge kind='bad'>incomplete</Badge>}
      </div>
      {m.thinking && <p class='msg-thinking muted' role='status'>{m.thinking}</p>}
      {m.role === 'assistant' && m.status === 'streaming' && !text && !m.thinking && <p class='msg-thinking muted'>Thinking…</p>}
      <div class='msg-body'>{body}</div>
      {m.toolCalls?.map((c) => <ToolCard key={c.id} call={c} onDecided={(status) => { onTool(m.id, { ...c, status }) }} />)}
      {m.notices.map((n) => <p key={n.code + n.text} class='msg-notice' role='note'><Badge kind='info'>{n.code === 'CHAT_REDACTED' ? 'Redacted' : 'Notice'}</Badge> {n.text}</p>)}
      {m.error && <p class='msg-error' role='alert'>{m.error}</p>}
      <Meta m={m} admin={admin} />
    </li>
  )
}

/** New sentences of the streaming reply, appended to a polite live region so screen readers read them once. */
function Announcer ({ message }: { message: UiMessage | undefined }) {
  const [chunks, setChunks] = useState<string[]>([])
  const said = useRef({ id: '', upTo: 0 })
  const text = message ? shownText(message) : ''
  useEffect(() => {
    if (!message) return
    if (said.current.id !== message.id) { said.current = { id: message.id, upTo: 0 }; setChunks([]) }
    const done = message.status !== 'streaming'
    const end = done ? text.length : Math.max(text.lastIndexOf('. '), text.lastIndexOf('\n'), text.lastIndexOf('! '), text.lastIndexOf('? ')) + 1
    if (end > said.current.upTo) {
      const chunk = text.slice(said.current.upTo, end).trim()
      said.current.upTo = end
      if (chunk) setChunks((c) => [...c.slice(-20), chunk])
    }
  }, [message?.id, text, message?.status])
  return <div class='sr-only' aria-live='polite' aria-atomic='false'>{chunks.map((c, i) => <p key={i}>{c}</p>)}</div>
}

export function Transcript ({ messages, admin, onTool, focusId }: {
  messages: UiMessage[]
  admin: boolean
  onTool: (messageId: string, call: ToolCall) => void
  focusId: string | null
}) {
  const end = useRef<HTMLDivElement>(null)
  const list = useRef<HTMLOListElement>(null)
  const last = messages[messages.length - 1]
  const lastText = last ? shownText(last) : ''
  // follow a streaming reply only while the reader is at the bottom: scrolling up to read stays put
  const stick = useRef(true)
  useEffect(() => {
    const onScroll = () => { stick.current = window.innerHeight + window.scrollY >= document.documentElement.scrollHeight - 160 }
    window.addEventListener('scroll', onScroll, { passive: true })
    return () => { window.removeEventListener('scroll', onScroll) }
  }, [])
  useEffect(() => { stick.current = true }, [messages.length]) // a new message always comes into view
  useEffect(() => {
    if (focusId) {
      document.getElementById(`msg-${focusId}`)?.scrollIntoView({ block: 'center' })
      return
    }
    if (stick.current) end.current?.scrollIntoView({ block: 'end' })
  }, [messages.length, lastText.length, focusId])

  const streaming = messages.find((m) => m.role === 'assistant' && m.status === 'streaming') ?? [...messages].reverse().find((m) => m.role === 'assistant')
  return (
    <>
      <ol class='transcript' ref={list} aria-label='Messages'>
        {messages.map((m) => <Bubble key={m.id} m={m} admin={admin} onTool={onTool} />)}
      </ol>
      <div ref={end} />
      <Announcer message={streaming} />
    </>
  )
}
