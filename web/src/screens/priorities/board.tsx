// The 2 × 2 Eisenhower board (SPEC §10): drag a card to another quadrant to set the audited override, or use the
// card's "Move to…" menu from the keyboard. Both end in POST /api/priorities/items/:id/move.
import { useEffect, useRef, useState } from 'preact/hooks'
import { QUADRANTS, type Brief, type Quadrant, type Surface } from './types.js'

interface Card extends Brief { why?: string }

function MoveMenu ({ card, from, onMove }: { card: Card, from: Quadrant, onMove: (id: string, q: Quadrant) => void }) {
  const [open, setOpen] = useState(false)
  const root = useRef<HTMLDivElement>(null)
  const first = useRef<HTMLButtonElement>(null)
  useEffect(() => {
    if (!open) return
    first.current?.focus()
    const onDoc = (e: MouseEvent) => { if (!root.current?.contains(e.target as Node)) setOpen(false) }
    document.addEventListener('click', onDoc)
    return () => { document.removeEventListener('click', onDoc) }
  }, [open])
  return (
    <div class='move-menu' ref={root} onKeyDown={(e) => { if (e.key === 'Escape') { e.stopPropagation(); setOpen(false) } }}>
      <button
        type='button' class='btn btn-ghost btn-small' aria-expanded={open} aria-label={`Move “${card.title}” to…`}
        onClick={() => { setOpen(!open) }}
      >Move to…
      </button>
      {open && (
        <ul class='menu' aria-label='Quadrants'>
          {QUADRANTS.filter((x) => x.q !== from).map((x, i) => (
            <li key={x.q}>
              <button
                type='button' ref={i === 0 ? first : undefined} class='menu-item'
                onClick={() => { setOpen(false); onMove(card.id, x.q) }}
              >{x.label} <span class='muted'>({x.hint})</span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  )
}

export function Board ({ surface, kind, onMove, onOpen }: {
  surface: Surface
  kind: string
  onMove: (id: string, q: Quadrant) => void
  onOpen: (id: string) => void
}) {
  const [over, setOver] = useState<Quadrant | null>(null)
  const counts: Record<Quadrant, number> = { Q1: surface.stats.q1, Q2: surface.stats.q2, Q3: surface.stats.q3, Q4: surface.stats.q4 }
  const cards = (q: Quadrant): Card[] => {
    const top = surface.surfaced.filter((s) => s.quadrant === q).map((s) => ({ id: s.id, kind: s.kind, title: s.title, score: s.score, why: s.why }))
    return [...top, ...surface.submerged[q]].filter((c) => !kind || c.kind === kind)
  }
  return (
    <div class='board' aria-label='Eisenhower board'>
      {QUADRANTS.map(({ q, label, hint }) => (
        <section
          key={q} class={`quadrant quadrant-${q}${over === q ? ' quadrant-over' : ''}`} aria-labelledby={`quad-${q}`}
          onDragOver={(e) => { e.preventDefault(); if (e.dataTransfer) e.dataTransfer.dropEffect = 'move'; setOver(q) }}
          onDragLeave={(e) => { if (!(e.currentTarget as HTMLElement).contains(e.relatedTarget as Node)) setOver(null) }}
          onDrop={(e) => {
            e.preventDefault()
            setOver(null)
            const raw = e.dataTransfer?.getData('text/plain') ?? ''
            const [id, from] = raw.split('|')
            if (id && from !== q) onMove(id, q)
          }}
        >
          <h3 id={`quad-${q}`} class='quadrant-head'>
            <span>{label}</span> <span class='badge badge-neutral' aria-label={`${counts[q]} items`}>{counts[q]}</span>
            <span class='muted quadrant-hint'>{hint}</span>
          </h3>
          <ul class='cards'>
            {cards(q).map((c) => (
              <li
                key={c.id} class='board-card' draggable
                onDragStart={(e) => { e.dataTransfer?.setData('text/plain', `${c.id}|${q}`); if (e.dataTransfer) e.dataTransfer.effectAllowed = 'move' }}
              >
                <button type='button' class='btn-link board-title' onClick={() => { onOpen(c.id) }}>{c.title}</button>
                <span class='muted board-meta'>{c.kind} · {c.score.toFixed(1)}</span>
                <MoveMenu card={c} from={q} onMove={onMove} />
              </li>
            ))}
          </ul>
        </section>
      ))}
    </div>
  )
}
