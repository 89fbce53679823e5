// One action awaiting a decision (SPEC §3.7, §10 Approvals): what Robbie wants to do, editable for drafts and
// proposals, a badge when it came from outside content, and Approve / Edit / Reject.
import { useState } from 'preact/hooks'
import { Badge } from '../../components/feedback.js'
import { TextArea, TextField } from '../../components/fields.js'
import { Time } from '../../components/time.js'

export interface Action {
  id: string
  tool: string
  class: string
  args: Record<string, unknown>
  origin: string
  requesterId: string
  conversationId: string | null
  messageId: string | null
  confidence: number
  taint: boolean
  status: string
  decidedBy: string | null
  decidedAt: string | null
  executeAfter: string | null
  result: unknown
  error: string | null
  createdAt: string
  expiresAt: string | null
}

export const TOOL_LABEL: Record<string, string> = {
  email_draft: 'Email draft',
  email_send: 'Send email',
  calendar_propose: 'Meeting proposal',
  calendar_write: 'Calendar change',
  calendar_respond: 'Calendar reply',
  task_create: 'Create task',
  task_update: 'Update task',
  task_complete: 'Complete task',
  note_create: 'Save note',
  github_label: 'GitHub labels',
  github_comment: 'GitHub comment'
}

/** The editable arguments per tool, as text fields (arrays as comma-separated lists). */
const EDITABLE: Record<string, Array<{ key: string, label: string, long?: boolean, list?: boolean }>> = {
  email_draft: [{ key: 'to', label: 'To', list: true }, { key: 'cc', label: 'Cc', list: true }, { key: 'subject', label: 'Subject' }, { key: 'body', label: 'Body', long: true }],
  calendar_propose: [{ key: 'title', label: 'Title' }, { key: 'start', label: 'Start' }, { key: 'end', label: 'End' },
    { key: 'attendees', label: 'Attendees', list: true }, { key: 'location', label: 'Location' }, { key: 'description', label: 'Description', long: true }],
  task_create: [{ key: 'title', label: 'Title' }, { key: 'description', label: 'Description', long: true }]
}

const asText = (v: unknown): string => (Array.isArray(v) ? v.join(', ') : v === undefined || v === null ? '' : typeof v === 'string' ? v : JSON.stringify(v))

export function ActionCard ({ action, selected, busy, onSelect, onApprove, onReject }: {
  action: Action
  selected: boolean
  busy: boolean
  onSelect: () => void
  onApprove: (edits?: Record<string, unknown>) => void
  onReject: () => void
}) {
  const fields = EDITABLE[action.tool] ?? []
  const [editing, setEditing] = useState(false)
  const [values, setValues] = useState<Record<string, string>>(() => Object.fromEntries(fields.map((f) => [f.key, asText(action.args[f.key])])))
  const edits = (): Record<string, unknown> | undefined => {
    const changed: Record<string, unknown> = {}
    for (const f of fields) {
      const v = values[f.key] ?? ''
      if (v === asText(action.args[f.key])) continue
      changed[f.key] = f.list ? v.split(',').map((x) => x.trim()).filter(Boolean) : v
    }
    return Object.keys(changed).length > 0 ? changed : undefined
  }
  const shown = Object.entries(action.args).filter(([k]) => k !== 'confidence' && !(editing && fields.some((f) => f.key === k)))
  return (
    <article
      class={selected ? 'action-card selected' : 'action-card'} tabIndex={-1} id={`action-${action.id}`} onFocusIn={onSelect}
      aria-label={`${TOOL_LABEL[action.tool] ?? action.tool}, proposed`}
    >
      <div class='row'>
        <strong>{TOOL_LABEL[action.tool] ?? action.tool}</strong>
        {action.taint && <Badge kind='warn' title='Parts of this came from an email, a calendar entry or another outside source'>based on outside content</Badge>}
        <span class='muted'>confidence {Math.round(action.confidence * 100)} % · <Time iso={action.createdAt} /></span>
        {action.expiresAt && <span class='muted'>· expires <Time iso={action.expiresAt} /></span>}
      </div>
      {!editing && (
        <dl class='kv action-args'>
          {shown.map(([k, v]) => [<dt key={`${k}-t`}>{k}</dt>, <dd key={`${k}-d`} class={k === 'body' ? 'pre' : undefined}>{asText(v)}</dd>])}
        </dl>
      )}
      {editing && fields.map((f) => (f.long
        ? <TextArea key={f.key} label={f.label} value={values[f.key] ?? ''} onValue={(v) => { setValues({ ...values, [f.key]: v }) }} />
        : <TextField key={f.key} label={f.label} value={values[f.key] ?? ''} onValue={(v) => { setValues({ ...values, [f.key]: v }) }} />))}
      <div class='row'>
        <button type='button' class='btn btn-primary btn-small' disabled={busy} onClick={() => { onApprove(editing ? edits() : undefined) }}>
          {editing ? 'Approve with changes' : 'Approve'}
        </button>
        {fields.length > 0 && <button type='button' class='btn btn-small' aria-pressed={editing} onClick={() => { setEditing(!editing) }}>{editing ? 'Cancel edit' : 'Edit'}</button>}
        <button type='button' class='btn btn-small' disabled={busy} onClick={onReject}>Reject</button>
        {action.conversationId && <a class='muted' href={`/chat/${action.conversationId}${action.messageId ? `?m=${action.messageId}` : ''}`}>In the chat</a>}
      </div>
    </article>
  )
}
