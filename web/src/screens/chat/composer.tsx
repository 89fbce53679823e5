// The message box: Enter sends, Shift+Enter is a newline, a leading `/` opens the command list (a combobox, so
// arrows, Enter/Tab and Esc work and screen readers hear the options), and Stop replaces Send while a reply streams.
import { useEffect, useId, useRef, useState } from 'preact/hooks'
import type { Command } from './types.js'

const MAX = 32_000

export function Composer ({ commands, generating, onSend, onStop, disabledReason }: {
  commands: Command[]
  generating: boolean
  onSend: (text: string) => void
  onStop: () => void
  disabledReason?: string
}) {
  const [text, setText] = useState('')
  const [active, setActive] = useState(0)
  const [dismissed, setDismissed] = useState(false)
  const box = useRef<HTMLTextAreaElement>(null)
  const listId = useId()

  const word = /^\/\S*$/.test(text) ? text.slice(1).toLowerCase() : null
  const matches = word === null || dismissed ? [] : commands.filter((c) => c.name.replace(/^\//, '').toLowerCase().startsWith(word)).slice(0, 12)
  const open = matches.length > 0
  useEffect(() => { setActive(0) }, [word])

  // `/` anywhere on the chat screen (outside a field) focuses the box (SPEC §10 shortcuts)
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement | null
      if (e.key !== '/' || e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || (t && (t.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName)))) return
      if (document.querySelector('dialog[open]')) return
      e.preventDefault()
      box.current?.focus()
    }
    document.addEventListener('keydown', onKey)
    return () => { document.removeEventListener('keydown', onKey) }
  }, [])

  const complete = (c: Command) => {
    setText(`/${c.name.replace(/^\//, '')} `)
    setDismissed(true)
    box.current?.focus()
  }
  const send = () => {
    const content = text.trim()
    if (!content || content.length > MAX) return
    onSend(content)
    setText('')
    setDismissed(false)
  }

  const onKeyDown = (e: KeyboardEvent) => {
    if (open) {
      if (e.key === 'ArrowDown') { e.preventDefault(); setActive((active + 1) % matches.length); return }
      if (e.key === 'ArrowUp') { e.preventDefault(); setActive((active - 1 + matches.length) % matches.length); return }
      if (e.key === 'Tab' || (e.key === 'Enter' && !e.shiftKey)) { e.preventDefault(); complete(matches[active]!); return }
      if (e.key === 'Escape') { e.preventDefault(); setDismissed(true); return }
    }
    if (e.key === 'Escape' && generating) { e.preventDefault(); onStop(); return }
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) { e.preventDefault(); send() }
  }

  return (
    <form class='composer' onSubmit={(e) => { e.preventDefault(); send() }}>
      {open && (
        <ul id={listId} class='command-list' role='listbox' aria-label='Commands'>
          {matches.map((c, i) => (
            <li
              key={c.name} id={`${listId}-${i}`} role='option' aria-selected={i === active} class={i === active ? 'active' : undefined}
              onMouseDown={(e) => { e.preventDefault(); complete(c) }}
            >
              <span class='mono'>{c.usage || `/${c.name}`}</span> <span class='muted'>{c.description}</span>
            </li>
          ))}
        </ul>
      )}
      <label for='chat-input' class='sr-only'>Message Robbie</label>
      <textarea
        id='chat-input' ref={box} rows={2} value={text} maxLength={MAX} placeholder='Message Robbie — / for commands'
        aria-controls={open ? listId : undefined} aria-autocomplete='list'
        aria-activedescendant={open ? `${listId}-${active}` : undefined} aria-describedby='chat-input-hint'
        onInput={(e) => { setText(e.currentTarget.value); setDismissed(false) }} onKeyDown={onKeyDown}
      />
      <p id='chat-input-hint' class='sr-only'>Enter sends, Shift+Enter starts a new line, slash opens the command list.</p>
      {generating
        ? <button type='button' class='btn btn-danger' onClick={onStop}>Stop</button>
        : <button type='submit' class='btn btn-primary' disabled={!text.trim() || Boolean(disabledReason)} title={disabledReason}>Send</button>}
    </form>
  )
}
