// The task editor (SPEC §10): create or change a task. A change sends the version it was read at (If-Match), so
// an edit made meanwhile elsewhere is reported instead of overwritten.
import { useEffect, useState } from 'preact/hooks'
import { api, ApiError } from '../../lib/api.js'
import type { Session } from '../../lib/session.js'
import { toast } from '../../lib/toasts.js'
import { ErrorNote } from '../../components/feedback.js'
import { SelectField, TextArea, TextField } from '../../components/fields.js'
import { CATEGORIES, PRIORITIES, type Task } from './types.js'

interface Person { id: string, name: string, email: string }

const toLocal = (iso: string | null): string => {
  if (!iso) return ''
  const d = new Date(iso)
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16)
}
const list = (s: string): string[] => s.split(',').map((x) => x.trim()).filter(Boolean)

function parseDeals (s: string): Array<{ id: string, name: string, amount?: number }> {
  return list(s).map((entry) => {
    const [name, amount] = entry.split(':').map((x) => x.trim())
    const n = Number(amount?.replace(/[$,\s]/g, ''))
    return { id: name!.toLowerCase().replace(/[^a-z0-9]+/g, '-').slice(0, 200) || 'deal', name: name!, ...(Number.isFinite(n) && amount ? { amount: n } : {}) }
  })
}

export function TaskForm ({ session, task, onSaved }: { session: Session, task?: Task, onSaved: (t: Task) => void }) {
  const [title, setTitle] = useState(task?.title ?? '')
  const [description, setDescription] = useState(task?.description ?? '')
  const [priority, setPriority] = useState(task?.priority ?? 'medium')
  const [category, setCategory] = useState(task?.category ?? 'general')
  const [due, setDue] = useState(toLocal(task?.dueAt ?? null))
  const [assignee, setAssignee] = useState(task?.assigneeUserId ?? '')
  const [visibility, setVisibility] = useState(task?.visibility ?? 'private')
  const [people, setPeople] = useState((task?.associatedPeople ?? []).map((p) => p.email ?? '').filter(Boolean).join(', '))
  const [deals, setDeals] = useState((task?.associatedDeals ?? []).map((d) => (d.amount ? `${d.name ?? d.id}: ${d.amount}` : d.name ?? d.id ?? '')).join(', '))
  const [tags, setTags] = useState((task?.tags ?? []).join(', '))
  const [users, setUsers] = useState<Person[]>([])
  const [error, setError] = useState<unknown>(null)
  const [busy, setBusy] = useState(false)

  useEffect(() => {
    if (session.user.role === 'member') return // the user list is for owners and admins
    api<{ items: Person[] }>('GET', '/api/auth/users?limit=200').then((r) => { setUsers(r.items) }, () => {})
  }, [])

  const save = async (e: Event) => {
    e.preventDefault()
    setBusy(true)
    const body = {
      title: title.trim(),
      description: description.trim() || (task ? null : undefined),
      priority,
      category,
      dueAt: due ? new Date(due).toISOString() : (task ? null : undefined),
      assigneeUserId: assignee || (task ? null : undefined),
      visibility,
      associatedPeople: list(people).map((email) => ({ email })),
      associatedDeals: parseDeals(deals),
      tags: list(tags)
    }
    try {
      if (task) {
        const t = await api<Task>('PATCH', `/api/priorities/tasks/${task.id}`, body, { headers: { 'if-match': `"${task.version}"` } })
        toast('Task saved')
        onSaved(t)
      } else {
        const r = await api<{ status: 'created' | 'existing', task: Task }>('POST', '/api/priorities/tasks', body, { idempotencyKey: true })
        toast(r.status === 'existing' ? `Already tracked as #${r.task.number}` : `Task #${r.task.number} created`)
        onSaved(r.task)
      }
    } catch (err) {
      setError(err instanceof ApiError && err.code === 'PRIORITIES_VERSION_CONFLICT'
        ? new ApiError(409, err.code, 'Someone changed this task meanwhile. Close and open it again to see their change.')
        : err)
    } finally {
      setBusy(false)
    }
  }

  const options = (xs: readonly string[]) => xs.map((x) => ({ value: x, label: x[0]!.toUpperCase() + x.slice(1) }))
  return (
    <form onSubmit={(e) => { void save(e) }} class='task-form'>
      <TextField label='Title' value={title} onValue={setTitle} required maxLength={300} />
      <TextArea label='Description' value={description} onValue={setDescription} maxLength={10000} />
      <div class='grid-2'>
        <SelectField label='Priority' value={priority} onValue={setPriority} options={options(PRIORITIES)} />
        <SelectField label='Category' value={category} onValue={setCategory} options={options(CATEGORIES)} />
        <TextField label='Due' type='datetime-local' value={due} onValue={setDue} />
        <SelectField
          label='Visibility' value={visibility} onValue={setVisibility}
          options={[{ value: 'private', label: 'Private' }, { value: 'company', label: 'Company' }]}
        />
        {users.length > 0 && (
          <SelectField
            label='Assignee' value={assignee} onValue={setAssignee}
            options={[{ value: '', label: 'Me' }, ...users.filter((u) => u.id !== session.user.id).map((u) => ({ value: u.id, label: u.name || u.email }))]}
          />
        )}
      </div>
      <TextField label='People (emails, comma-separated)' value={people} onValue={setPeople} maxLength={5000} />
      <TextField label='Deals (name: amount, comma-separated)' value={deals} onValue={setDeals} maxLength={5000} />
      <TextField label='Tags (comma-separated)' value={tags} onValue={setTags} maxLength={2000} />
      <ErrorNote error={error} />
      <button type='submit' class='btn btn-primary' disabled={busy || !title.trim()}>{task ? 'Save task' : 'Create task'}</button>
    </form>
  )
}
