// The priorities screen (SPEC §10): the surfaced list with reasons, the Q1-overload banner, the 2 × 2 board with
// counts, a stats bar, a kind filter, the item drawer and the task editor. Live pushes (`priorities`) refetch.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks'
import { api } from '../../lib/api.js'
import type { Session } from '../../lib/session.js'
import { toast } from '../../lib/toasts.js'
import { useApi } from '../../lib/use-api.js'
import { ensureChatSocket } from '../../lib/ws.js'
import { ErrorNote, Loading, Note } from '../../components/feedback.js'
import { SelectField } from '../../components/fields.js'
import { Page } from '../../components/page.js'
import { Board } from './board.js'
import { Drawer } from './drawer.js'
import { ItemDetail } from './item-detail.js'
import { SurfacedList } from './surfaced.js'
import { TaskForm } from './task-form.js'
import { quadrantLabel, type Quadrant, type Surface, type Surfaced } from './types.js'
import './priorities.css'

const KINDS = [{ value: '', label: 'All kinds' }, { value: 'task', label: 'Tasks' }, { value: 'email', label: 'Email' },
  { value: 'meeting', label: 'Meetings' }, { value: 'deal', label: 'Deals' }, { value: 'calendar_conflict', label: 'Calendar conflicts' }]

function titleOf (surface: Surface | undefined, id: string | null): string {
  if (!surface || !id) return 'Item'
  const all = [...surface.surfaced, ...Object.values(surface.submerged).flat()]
  return all.find((x) => x.id === id)?.title ?? 'Item'
}

const typing = (t: EventTarget | null) => t instanceof HTMLElement && (t.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName))

export default function PrioritiesScreen ({ session }: { session: Session }) {
  const surface = useApi<Surface>('/api/priorities/surface?top=10')
  const [kind, setKind] = useState('')
  const [open, setOpen] = useState<string | null>(null)
  const [creating, setCreating] = useState(false)
  const [selected, setSelected] = useState(0)
  const reloadTimer = useRef<ReturnType<typeof setTimeout> | null>(null)

  // a burst of pushes becomes one refetch
  const refetch = () => {
    if (reloadTimer.current) clearTimeout(reloadTimer.current)
    reloadTimer.current = setTimeout(() => { void surface.reload() }, 150)
  }
  useEffect(() => ensureChatSocket()?.live('priorities', refetch), [])

  const surfaced = useMemo(() => (surface.data?.surfaced ?? []).filter((s) => !kind || s.kind === kind), [surface.data, kind])

  const move = async (id: string, q: Quadrant) => {
    try {
      await api('POST', `/api/priorities/items/${id}/move`, { quadrant: q }, { idempotencyKey: true })
      toast(`Moved to ${quadrantLabel(q)}. Reset it in the item's details.`)
      await surface.reload()
    } catch (err) { toast((err as Error).message, 'error') }
  }
  const act = async (item: Surfaced, action: 'done' | 'dismiss' | 'snooze', until?: string) => {
    try {
      if (action === 'done' && item.kind === 'task') await api('POST', `/api/priorities/tasks/${item.id}/complete`, undefined, { idempotencyKey: true })
      else if (action === 'snooze') await api('PATCH', `/api/priorities/items/${item.id}`, { snoozedUntil: until })
      else await api('PATCH', `/api/priorities/items/${item.id}`, { status: 'dismissed' })
      toast(action === 'done' ? 'Marked done' : action === 'snooze' ? 'Snoozed' : 'Dismissed')
      await surface.reload()
    } catch (err) { toast((err as Error).message, 'error') }
  }

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      // defaultPrevented: the app's `g <key>` navigation took it (e.g. `g a` must not approve)
      if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || typing(e.target) || document.querySelector('dialog[open]')) return
      const item = surfaced[selected]
      if (e.key === 'j' || e.key === 'k') {
        e.preventDefault()
        const next = Math.max(0, Math.min(surfaced.length - 1, selected + (e.key === 'j' ? 1 : -1)))
        setSelected(next)
        document.getElementById(`surfaced-${next}`)?.focus()
      } else if (e.key === 'n') { e.preventDefault(); setCreating(true) } else if (e.key === 'e' && item) { e.preventDefault(); setOpen(item.id) } else if (e.key === 'x' && item) { e.preventDefault(); void act(item, 'done') }
    }
    document.addEventListener('keydown', onKey)
    return () => { document.removeEventListener('keydown', onKey) }
  }, [surfaced, selected])

  const data = surface.data
  const stats = data?.stats
  return (
    <Page title='Priorities' wide actions={<button type='button' class='btn btn-primary' onClick={() => { setCreating(true) }}>New task</button>}>
      <ErrorNote error={surface.error} onRetry={() => { void surface.reload() }} />
      {!data && surface.loading && <Loading />}
      {stats?.q1Overload && (
        <Note kind='warn'><strong>Too much in “Do now”:</strong> {stats.q1} items are important and urgent. Move some to Schedule or Delegate, or dismiss what can wait.</Note>
      )}
      {stats && (
        <dl class='stats-bar' aria-label='Statistics'>
          <div><dt>Open</dt><dd>{stats.total}</dd></div>
          <div><dt>Surfaced</dt><dd>{stats.surfaced}</dd></div>
          <div><dt>Do now</dt><dd>{stats.q1}</dd></div>
          <div><dt>Schedule</dt><dd>{stats.q2}</dd></div>
          <div><dt>Delegate</dt><dd>{stats.q3}</dd></div>
          <div><dt>Eliminate</dt><dd>{stats.q4}</dd></div>
        </dl>
      )}
      {data && (
        <>
          <div class='row priorities-filters'>
            <SelectField label='Kind' value={kind} onValue={setKind} options={KINDS} />
          </div>
          <section aria-labelledby='surfaced-h'>
            <h2 id='surfaced-h'>Top of your list</h2>
            <SurfacedList items={surfaced} selected={selected} onSelect={setSelected} onOpen={setOpen} onAct={(item, a, until) => { void act(item, a, until) }} />
          </section>
          <section aria-labelledby='board-h'>
            <h2 id='board-h'>Board</h2>
            <p class='muted'>Drag a card to another quadrant, or use its “Move to…” button. Robbie remembers the change.</p>
            <Board surface={data} kind={kind} onMove={(id, q) => { void move(id, q) }} onOpen={setOpen} />
          </section>
        </>
      )}
      <Drawer open={open !== null} title={titleOf(data, open)} onClose={() => { setOpen(null) }}>
        {open && <ItemDetail id={open} session={session} onChanged={refetch} />}
      </Drawer>
      <Drawer open={creating} title='New task' onClose={() => { setCreating(false) }}>
        {creating && <TaskForm session={session} onSaved={() => { setCreating(false); refetch() }} />}
      </Drawer>
    </Page>
  )
}
