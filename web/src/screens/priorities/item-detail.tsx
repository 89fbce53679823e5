// One item in the drawer: its score breakdown, importance/urgency overrides ("auto" clears one), pin, linked
// sources, and for a task the task editor.
import { useEffect, useState } from 'preact/hooks'
import { api } from '../../lib/api.js'
import type { Session } from '../../lib/session.js'
import { toast } from '../../lib/toasts.js'
import { Badge, ErrorNote, Loading } from '../../components/feedback.js'
import { Switch } from '../../components/fields.js'
import { Time } from '../../components/time.js'
import { TaskForm } from './task-form.js'
import { quadrantLabel, type ItemView, type Task } from './types.js'

function Override ({ label, value, auto, onSave }: { label: string, value: number | null, auto: number, onSave: (v: number | null) => void }) {
  const [text, setText] = useState(String(value ?? Math.round(auto)))
  useEffect(() => { setText(String(value ?? Math.round(auto))) }, [value, auto])
  const id = `override-${label.toLowerCase()}`
  return (
    <div class='override'>
      <Switch label={`${label}: auto`} checked={value === null} onChange={(on) => { onSave(on ? null : Number(text)) }} />
      <label for={id} class='sr-only'>{label} override (0–100)</label>
      <input
        id={id} type='number' min={0} max={100} step={1} value={text} disabled={value === null}
        onInput={(e) => { setText(e.currentTarget.value) }}
        onChange={(e) => { const n = Number(e.currentTarget.value); if (Number.isFinite(n) && n >= 0 && n <= 100) onSave(n) }}
      />
    </div>
  )
}

export function ItemDetail ({ id, session, onChanged }: { id: string, session: Session, onChanged: () => void }) {
  const [item, setItem] = useState<ItemView | null>(null)
  const [task, setTask] = useState<Task | null>(null)
  const [error, setError] = useState<unknown>(null)

  const load = async () => {
    try {
      const it = await api<ItemView>('GET', `/api/priorities/items/${id}`)
      setItem(it)
      setTask(it.kind === 'task' ? await api<Task>('GET', `/api/priorities/tasks/${id}`) : null)
      setError(null)
    } catch (err) { setError(err) }
  }
  useEffect(() => { void load() }, [id])

  const patch = async (body: Record<string, unknown>, message: string) => {
    try {
      setItem(await api<ItemView>('PATCH', `/api/priorities/items/${id}`, body))
      toast(message)
      onChanged()
    } catch (err) { setError(err) }
  }

  if (!item) return error ? <ErrorNote error={error} /> : <Loading />
  const rows = item.breakdown.filter((b) => b.points !== 0)
  return (
    <div class='item-detail stack'>
      <p class='row'>
        <span class={`chip chip-${item.quadrant}`}>{quadrantLabel(item.quadrant)}</span>
        <strong>{item.score.toFixed(1)}</strong>
        <span class='muted'>{item.kind}{item.number ? ` #${item.number}` : ''} · importance {item.importance.toFixed(0)} · urgency {item.urgency.toFixed(0)}</span>
        {item.taint && <Badge kind='warn'>outside content</Badge>}
      </p>
      <p>{item.why}</p>
      <ErrorNote error={error} />
      <section aria-labelledby='breakdown-h'>
        <h3 id='breakdown-h'>Score breakdown</h3>
        <div class='table-wrap'>
          <table class='table table-compact'>
            <thead><tr><th scope='col'>Term</th><th scope='col'>Dimension</th><th scope='col'>Points</th></tr></thead>
            <tbody>
              {rows.map((b) => <tr key={b.term + b.dimension}><td>{b.term}</td><td>{{ I: 'importance', U: 'urgency', P: 'score' }[b.dimension]}</td><td>{b.points}</td></tr>)}
            </tbody>
          </table>
        </div>
      </section>
      <section aria-labelledby='overrides-h'>
        <h3 id='overrides-h'>Overrides</h3>
        <p class='muted'>Set importance or urgency by hand (50 and above counts as important / urgent). Moving a card on the board sets these too.</p>
        <Override
          label='Importance' value={item.importanceOverride} auto={item.importance}
          onSave={(v) => { void patch({ importanceOverride: v }, 'Importance saved') }}
        />
        <Override
          label='Urgency' value={item.urgencyOverride} auto={item.urgency}
          onSave={(v) => { void patch({ urgencyOverride: v }, 'Urgency saved') }}
        />
        <div class='row'>
          <button
            type='button' class='btn btn-small' disabled={item.importanceOverride === null && item.urgencyOverride === null}
            onClick={() => { void patch({ importanceOverride: null, urgencyOverride: null }, 'Overrides reset') }}
          >Reset overrides
          </button>
        </div>
        <Switch label='Pinned to the top' checked={item.pinned} onChange={(on) => { void patch({ pinned: on }, on ? 'Pinned' : 'Unpinned') }} />
      </section>
      {item.sources.length > 0 && (
        <section aria-labelledby='sources-h'>
          <h3 id='sources-h'>Sources</h3>
          <ul class='list'>
            {item.sources.map((s) => (
              <li key={s.type + s.id}>
                {s.url ? <a href={s.url} target='_blank' rel='noopener noreferrer'>{s.type}</a> : s.type} <span class='muted'>· added <Time iso={s.addedAt} /></span>
              </li>
            ))}
          </ul>
        </section>
      )}
      {task && (
        <section aria-labelledby='task-h'>
          <h3 id='task-h'>Task #{task.number}</h3>
          <TaskForm key={task.version} session={session} task={task} onSaved={(t) => { setTask(t); void load(); onChanged() }} />
        </section>
      )}
    </div>
  )
}
