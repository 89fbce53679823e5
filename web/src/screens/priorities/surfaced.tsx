// The surfaced list (SPEC §10): quadrant chip, score, title, why, source link, and Done / Snooze / Dismiss.
import { useState } from 'preact/hooks'
import { Badge, Empty } from '../../components/feedback.js'
import { quadrantLabel, type Surfaced } from './types.js'

type Action = 'done' | 'dismiss' | 'snooze'

function snoozeTimes (now = new Date()): Array<{ label: string, until: string }> {
  const tomorrow = new Date(now)
  tomorrow.setDate(now.getDate() + 1)
  tomorrow.setHours(9, 0, 0, 0)
  const nextWeek = new Date(now)
  nextWeek.setDate(now.getDate() + ((8 - now.getDay()) % 7 || 7))
  nextWeek.setHours(9, 0, 0, 0)
  return [
    { label: 'For 1 hour', until: new Date(now.getTime() + 3_600_000).toISOString() },
    { label: 'Until tomorrow 9:00', until: tomorrow.toISOString() },
    { label: 'Until next Monday 9:00', until: nextWeek.toISOString() }
  ]
}

function Snooze ({ item, onAct }: { item: Surfaced, onAct: (item: Surfaced, a: Action, until?: string) => void }) {
  const [open, setOpen] = useState(false)
  return (
    <span class='move-menu' onKeyDown={(e) => { if (e.key === 'Escape') { e.stopPropagation(); setOpen(false) } }}>
      <button type='button' class='btn btn-small' aria-expanded={open} aria-label={`Snooze “${item.title}”`} onClick={() => { setOpen(!open) }}>Snooze</button>
      {open && (
        <ul class='menu'>
          {snoozeTimes().map((t) => (
            <li key={t.label}><button type='button' class='menu-item' onClick={() => { setOpen(false); onAct(item, 'snooze', t.until) }}>{t.label}</button></li>
          ))}
        </ul>
      )}
    </span>
  )
}

export function SurfacedList ({ items, selected, onSelect, onOpen, onAct }: {
  items: Surfaced[]
  selected: number
  onSelect: (i: number) => void
  onOpen: (id: string) => void
  onAct: (item: Surfaced, a: Action, until?: string) => void
}) {
  if (items.length === 0) return <Empty>Nothing needs your attention right now.</Empty>
  return (
    <ol class='surfaced'>
      {items.map((s, i) => (
        <li key={s.id} id={`surfaced-${i}`} tabIndex={-1} class={i === selected ? 'surfaced-item selected' : 'surfaced-item'} onFocusIn={() => { onSelect(i) }}>
          <span class={`chip chip-${s.quadrant}`}>{quadrantLabel(s.quadrant)}</span>
          <span class='score' aria-label={`score ${s.score.toFixed(1)}`}>{s.score.toFixed(1)}</span>
          <div class='surfaced-main'>
            <button type='button' class='btn-link surfaced-title' onClick={() => { onOpen(s.id) }}>{s.pinned ? '📌 ' : ''}{s.title}</button>
            <span class='muted surfaced-why'>{s.why}</span>
            {s.source.url && <a class='surfaced-source' href={s.source.url} target='_blank' rel='noopener noreferrer'>Open {s.source.type}</a>}
            {s.taint && <Badge kind='warn'>outside content</Badge>}
          </div>
          <div class='surfaced-actions'>
            {s.kind === 'task' && <button type='button' class='btn btn-small' aria-label={`Done: “${s.title}”`} onClick={() => { onAct(s, 'done') }}>Done</button>}
            <Snooze item={s} onAct={onAct} />
            <button type='button' class='btn btn-small' aria-label={`Dismiss “${s.title}”`} onClick={() => { onAct(s, 'dismiss') }}>Dismiss</button>
          </div>
        </li>
      ))}
    </ol>
  )
}
