// Notes (SPEC §10): category filter with counts, author filter (mine / Robbie's), search, a card grid and the
// editor. Content is rendered from the safe Markdown subset, never as HTML.
import { useEffect, useMemo, useState } from 'preact/hooks'
import { qs } from '../../lib/api.js'
import { renderMarkdown } from '../../lib/markdown.js'
import type { Session } from '../../lib/session.js'
import { useApi } from '../../lib/use-api.js'
import { ensureChatSocket } from '../../lib/ws.js'
import { Dialog } from '../../components/dialog.js'
import { Badge, Empty, ErrorNote, Loading } from '../../components/feedback.js'
import { SelectField } from '../../components/fields.js'
import { Page } from '../../components/page.js'
import { Time } from '../../components/time.js'
import { CATEGORIES, NoteEditor, type Note } from './editor.js'
import './notes.css'

const label = (s: string) => s[0]!.toUpperCase() + s.slice(1)

function NoteCard ({ note, onOpen }: { note: Note, onOpen: () => void }) {
  const body = useMemo(() => renderMarkdown(note.content.length > 600 ? `${note.content.slice(0, 600)}…` : note.content), [note.content])
  return (
    <article class='note-card' aria-labelledby={`note-${note.id}`}>
      <h3 id={`note-${note.id}`}><button type='button' class='btn-link note-title' onClick={onOpen}>{note.title}</button></h3>
      <p class='row note-badges'>
        <Badge>{label(note.category)}</Badge>
        {note.author === 'robbie' && <Badge kind='info'>by Robbie</Badge>}
        {note.visibility === 'company' && <Badge kind='good'>company</Badge>}
        {note.locked && <Badge kind='warn'>locked</Badge>}
        {note.expiresAt && <span class='muted'>expires <Time iso={note.expiresAt} /></span>}
      </p>
      <div class='note-body'>{body}</div>
      {note.sourceRef?.url && <a class='note-source' href={note.sourceRef.url} target='_blank' rel='noopener noreferrer'>Source: {note.sourceRef.type}</a>}
    </article>
  )
}

export default function NotesScreen (_props: { session: Session }) {
  const [category, setCategory] = useState('')
  const [author, setAuthor] = useState('')
  const [q, setQ] = useState('')
  const [query, setQuery] = useState('')
  const [editing, setEditing] = useState<Note | 'new' | null>(null)
  useEffect(() => { const t = setTimeout(() => { setQuery(q.trim()) }, 250); return () => { clearTimeout(t) } }, [q])
  // one read for every category, so the filter can show counts; the category is filtered here
  const notes = useApi<{ items: Note[] }>(`/api/chat/notes${qs({ author, q: query, limit: 200 })}`)
  useEffect(() => ensureChatSocket()?.live('notes', () => { void notes.reload() }), [notes.reload])

  const all = notes.data?.items ?? []
  const counts = Object.fromEntries(CATEGORIES.map((c) => [c, all.filter((n) => n.category === c).length]))
  const shown = category ? all.filter((n) => n.category === category) : all
  return (
    <Page title='Notes' actions={<button type='button' class='btn btn-primary' onClick={() => { setEditing('new') }}>New note</button>}>
      <div class='filters'>
        <div class='field'>
          <label for='notes-search'>Search</label>
          <input id='notes-search' type='search' value={q} maxLength={200} onInput={(e) => { setQ(e.currentTarget.value) }} />
        </div>
        <SelectField
          label='Author' value={author} onValue={setAuthor}
          options={[{ value: '', label: 'Everyone' }, { value: 'user', label: 'Mine' }, { value: 'robbie', label: "Robbie's" }]}
        />
      </div>
      <div class='row category-filter' role='group' aria-label='Category'>
        <button type='button' class='btn btn-small' aria-pressed={category === ''} onClick={() => { setCategory('') }}>All <span class='muted'>{all.length}</span></button>
        {CATEGORIES.map((c) => (
          <button key={c} type='button' class='btn btn-small' aria-pressed={category === c} onClick={() => { setCategory(c) }}>
            {label(c)} <span class='muted'>{counts[c]}</span>
          </button>
        ))}
      </div>
      <ErrorNote error={notes.error} onRetry={() => { void notes.reload() }} />
      {notes.loading && !notes.data && <Loading />}
      {notes.data && shown.length === 0 && <Empty>No notes here yet.</Empty>}
      <div class='note-grid'>
        {shown.map((n) => <NoteCard key={n.id} note={n} onOpen={() => { setEditing(n) }} />)}
      </div>
      <Dialog open={editing !== null} wide title={editing === 'new' ? 'New note' : 'Edit note'} onClose={() => { setEditing(null) }}>
        {editing !== null && <NoteEditor note={editing === 'new' ? undefined : editing} onDone={() => { setEditing(null); void notes.reload() }} />}
      </Dialog>
    </Page>
  )
}
