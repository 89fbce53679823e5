// The approvals inbox (SPEC §10): pending actions grouped by kind, Approve / Edit / Reject, and the history with
// Undo where it applies. Until integration-sync exists an approved draft or proposal waits for it (SPEC §3.7).
import { useEffect, useState } from 'preact/hooks'
import { api } from '../../lib/api.js'
import type { Session } from '../../lib/session.js'
import { toast } from '../../lib/toasts.js'
import { useApi } from '../../lib/use-api.js'
import { ensureChatSocket } from '../../lib/ws.js'
import { Dialog } from '../../components/dialog.js'
import { Badge, Empty, ErrorNote, Loading } from '../../components/feedback.js'
import { TextField } from '../../components/fields.js'
import { Page } from '../../components/page.js'
import { Time } from '../../components/time.js'
import { ActionCard, TOOL_LABEL, type Action } from './action-card.js'
import './approvals.css'

const GROUPS: Array<{ title: string, match: (tool: string) => boolean }> = [
  { title: 'Email drafts', match: (t) => t.startsWith('email_') },
  { title: 'Calendar proposals', match: (t) => t.startsWith('calendar_') },
  { title: 'Tasks and notes', match: (t) => t.startsWith('task_') || t.startsWith('note_') },
  { title: 'Other', match: () => true }
]

const waitingForIntegration = (a: Action) =>
  a.status === 'approved' && (a.result as { pending?: unknown } | null)?.pending === 'integration-sync'

function statusBadge (a: Action) {
  if (waitingForIntegration(a)) return <Badge kind='info'>Approved, waiting for the email and calendar integration</Badge>
  const kind = ({ done: 'good', approved: 'good', scheduled: 'info', executing: 'info', rejected: 'neutral', undone: 'neutral', expired: 'neutral', cancelled: 'neutral', failed: 'bad' } as const)[a.status as 'done'] ?? 'neutral'
  return <Badge kind={kind}>{a.status}</Badge>
}

const typing = (t: EventTarget | null) => t instanceof HTMLElement && (t.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName))

export default function ApprovalsScreen (_props: { session: Session }) {
  const pending = useApi<{ items: Action[] }>('/api/chat/actions?status=proposed&limit=200')
  const history = useApi<{ items: Action[] }>('/api/chat/actions?limit=50')
  const [busy, setBusy] = useState(false)
  const [selected, setSelected] = useState(0)
  const [rejecting, setRejecting] = useState<Action | null>(null)
  const [reason, setReason] = useState('')
  const reload = () => { void pending.reload(); void history.reload() }
  useEffect(() => ensureChatSocket()?.live('actions', reload), [])

  const items = pending.data?.items ?? []
  const ordered = GROUPS.map((g, gi) => ({ ...g, items: items.filter((a) => g.match(a.tool) && GROUPS.findIndex((x) => x.match(a.tool)) === gi) }))
  const flat = ordered.flatMap((g) => g.items)

  const decide = async (a: Action, verb: 'approve' | 'reject' | 'undo', body: Record<string, unknown> = {}) => {
    setBusy(true)
    try {
      const after = await api<Action>('POST', `/api/chat/actions/${a.id}/${verb}`, verb === 'undo' ? undefined : body)
      toast(verb === 'approve' ? (waitingForIntegration(after) ? 'Approved: waits for the email and calendar integration' : 'Approved') : verb === 'reject' ? 'Rejected' : 'Undone')
      reload()
    } catch (err) {
      toast((err as Error).message, 'error')
    } finally {
      setBusy(false)
    }
  }
  const askReject = (a: Action) => { setReason(''); setRejecting(a) }

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      // defaultPrevented: the app's `g <key>` navigation took it (e.g. `g a` must not approve)
      if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || typing(e.target) || document.querySelector('dialog[open]')) return
      const a = flat[selected]
      if (e.key === 'j' || e.key === 'k') {
        e.preventDefault()
        const next = Math.max(0, Math.min(flat.length - 1, selected + (e.key === 'j' ? 1 : -1)))
        setSelected(next)
        if (flat[next]) document.getElementById(`action-${flat[next].id}`)?.focus()
      } else if (e.key === 'a' && a) { e.preventDefault(); void decide(a, 'approve') } else if (e.key === 'r' && a) { e.preventDefault(); askReject(a) }
    }
    document.addEventListener('keydown', onKey)
    return () => { document.removeEventListener('keydown', onKey) }
  }, [flat, selected])

  const past = (history.data?.items ?? []).filter((a) => a.status !== 'proposed')
  return (
    <Page title='Approvals'>
      <ErrorNote error={pending.error} onRetry={reload} />
      {pending.loading && !pending.data && <Loading />}
      {pending.data && flat.length === 0 && <Empty>Nothing waits for your approval.</Empty>}
      {ordered.filter((g) => g.items.length > 0).map((g) => (
        <section key={g.title} aria-labelledby={`group-${g.title}`}>
          <h2 id={`group-${g.title}`}>{g.title} <Badge>{g.items.length}</Badge></h2>
          {g.items.map((a) => (
            <ActionCard
              key={a.id} action={a} busy={busy} selected={flat[selected]?.id === a.id} onSelect={() => { setSelected(flat.indexOf(a)) }}
              onApprove={(edits) => { void decide(a, 'approve', edits ? { edits } : {}) }} onReject={() => { askReject(a) }}
            />
          ))}
        </section>
      ))}
      <section aria-labelledby='history-h'>
        <h2 id='history-h'>History</h2>
        <ErrorNote error={history.error} />
        {history.data && past.length === 0 && <Empty>No decisions yet.</Empty>}
        {past.length > 0 && (
          <div class='table-wrap'>
            <table class='table'>
              <thead><tr><th scope='col'>Action</th><th scope='col'>Status</th><th scope='col'>Decided</th><th scope='col'><span class='sr-only'>Actions</span></th></tr></thead>
              <tbody>
                {past.map((a) => (
                  <tr key={a.id}>
                    <td>{TOOL_LABEL[a.tool] ?? a.tool}{typeof a.args.title === 'string' ? `: ${a.args.title}` : typeof a.args.subject === 'string' ? `: ${a.args.subject}` : ''}</td>
                    <td>{statusBadge(a)}{a.error && <span class='muted'> {a.error}</span>}</td>
                    <td><Time iso={a.decidedAt ?? a.createdAt} /></td>
                    <td class='actions'>
                      {(a.status === 'done' && a.class === 'write') || a.status === 'scheduled'
                        ? <button type='button' class='btn btn-small' disabled={busy} onClick={() => { void decide(a, 'undo') }}>Undo</button>
                        : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <Dialog
        open={rejecting !== null} title='Reject this action?' onClose={() => { setRejecting(null) }}
        actions={
          <>
            <button type='button' class='btn' onClick={() => { setRejecting(null) }}>Cancel</button>
            <button
              type='button' class='btn btn-danger' disabled={busy}
              onClick={() => { const a = rejecting; setRejecting(null); if (a) void decide(a, 'reject', reason.trim() ? { reason: reason.trim() } : {}) }}
            >Reject
            </button>
          </>
        }
      >
        <TextField label='Reason (optional)' value={reason} onValue={setReason} maxLength={500} />
      </Dialog>
    </Page>
  )
}
