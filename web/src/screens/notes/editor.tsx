// The note editor (SPEC §10 Notes): title, category, content, visibility, lock and expiry. A locked note can't be
// deleted until it is unlocked (CHAT_NOTE_LOCKED), and Robbie can't change it at all.
import { useState } from 'preact/hooks'
import { api } from '../../lib/api.js'
import { toast } from '../../lib/toasts.js'
import { ErrorNote } from '../../components/feedback.js'
import { SelectField, Switch, TextArea, TextField } from '../../components/fields.js'

export const CATEGORIES = ['intel', 'reference', 'drafts', 'connections', 'ideas'] as const
export type Category = typeof CATEGORIES[number]
export interface Note {
  id: string
  userId: string
  title: string
  content: string
  category: Category
  author: 'user' | 'robbie'
  visibility: 'private' | 'company'
  locked: boolean
  tags: string[]
  sourceRef: { type: string, id: string, url?: string } | null
  expiresAt: string | null
  createdAt: string
  updatedAt: string
}

const label = (s: string) => s[0]!.toUpperCase() + s.slice(1)

export function NoteEditor ({ note, onDone }: { note?: Note, onDone: () => void }) {
  const [title, setTitle] = useState(note?.title ?? '')
  const [category, setCategory] = useState<string>(note?.category ?? 'reference')
  const [content, setContent] = useState(note?.content ?? '')
  const [visibility, setVisibility] = useState<string>(note?.visibility ?? 'private')
  const [locked, setLocked] = useState(note?.locked ?? false)
  const [expires, setExpires] = useState(note?.expiresAt?.slice(0, 10) ?? '')
  const [error, setError] = useState<unknown>(null)
  const [busy, setBusy] = useState(false)

  const save = async (e: Event) => {
    e.preventDefault()
    setBusy(true)
    const body = { title: title.trim(), category, content, visibility, locked, expiresAt: expires ? new Date(`${expires}T23:59:59`).toISOString() : null }
    try {
      if (note) await api('PATCH', `/api/chat/notes/${note.id}`, body)
      else await api('POST', '/api/chat/notes', body, { idempotencyKey: true })
      toast(note ? 'Note saved' : 'Note created')
      onDone()
    } catch (err) { setError(err) } finally { setBusy(false) }
  }
  const remove = async () => {
    if (!note) return
    setBusy(true)
    try {
      await api('DELETE', `/api/chat/notes/${note.id}`)
      toast('Note deleted')
      onDone()
    } catch (err) { setError(err) } finally { setBusy(false) }
  }

  return (
    <form onSubmit={(e) => { void save(e) }}>
      <TextField label='Title' value={title} onValue={setTitle} required maxLength={200} />
      <SelectField label='Category' value={category} onValue={setCategory} options={CATEGORIES.map((c) => ({ value: c, label: label(c) }))} />
      <TextArea label='Content' hint='Markdown: **bold**, *italics*, lists, `code`, links.' value={content} onValue={setContent} maxLength={20000} rows={10} />
      <SelectField
        label='Visibility' value={visibility} onValue={setVisibility}
        options={[{ value: 'private', label: 'Private: only me' }, { value: 'company', label: 'Company: everyone here' }]}
      />
      <Switch label='Locked' hint='Robbie will not change a locked note, and nobody can delete it until it is unlocked.' checked={locked} onChange={setLocked} />
      <TextField label='Expires on' type='date' hint='Hidden after this day; leave empty to keep it.' value={expires} onValue={setExpires} />
      {note?.sourceRef && (
        <p class='muted'>Source: {note.sourceRef.url ? <a href={note.sourceRef.url} target='_blank' rel='noopener noreferrer'>{note.sourceRef.type}</a> : note.sourceRef.type}</p>
      )}
      <ErrorNote error={error} />
      <div class='row'>
        <button type='submit' class='btn btn-primary' disabled={busy || !title.trim()}>{note ? 'Save note' : 'Create note'}</button>
        {note && <button type='button' class='btn btn-danger' disabled={busy || note.locked} title={note.locked ? 'Unlock it first' : undefined} onClick={() => { void remove() }}>Delete</button>}
      </div>
    </form>
  )
}
