// The header on every screen (SPEC §10): avatar with mood, connection dot, killswitch, user menu, and the
// menu button that opens the navigation on narrow screens.
import { useEffect, useRef, useState } from 'preact/hooks'
import { mood } from '../lib/mood.js'
import { navigate } from '../lib/router.js'
import { logout, type Session } from '../lib/session.js'
import { useStore } from '../lib/store.js'
import { connection, useReadable } from '../lib/ws.js'
import { Avatar } from './avatar.js'
import { KillswitchControl } from './killswitch.js'

const CONNECTION_TEXT = { online: 'Online', reconnecting: 'Reconnecting…', offline: 'Offline' } as const

export function ConnectionDot () {
  const state = useReadable(connection)
  const text = CONNECTION_TEXT[state.state] + (state.queued > 0 ? ` · ${state.queued} queued` : '')
  return (
    <span class={`connection connection-${state.state}`} role='status' title={text}>
      <span class='dot' aria-hidden='true' />
      <span class='connection-text'>{text}</span>
    </span>
  )
}

function UserMenu ({ session }: { session: Session }) {
  const [open, setOpen] = useState(false)
  const root = useRef<HTMLDivElement>(null)
  const button = useRef<HTMLButtonElement>(null)
  const { user } = session

  useEffect(() => {
    if (!open) return
    const onDoc = (e: MouseEvent) => { if (!root.current?.contains(e.target as Node)) setOpen(false) }
    const onKey = (e: KeyboardEvent) => { if (e.key === 'Escape') { setOpen(false); button.current?.focus() } }
    document.addEventListener('click', onDoc)
    document.addEventListener('keydown', onKey)
    return () => { document.removeEventListener('click', onDoc); document.removeEventListener('keydown', onKey) }
  }, [open])

  const go = (path: string) => { setOpen(false); navigate(path) }
  const initials = (user.name || user.email).split(/\s+/).map((w) => w[0]).join('').slice(0, 2).toUpperCase()
  return (
    <div class='user-menu' ref={root}>
      <button
        type='button' ref={button} class='btn btn-ghost user-button' aria-expanded={open} aria-controls='user-menu-list'
        onClick={() => { setOpen(!open) }}
      >
        <span class='initials' aria-hidden='true'>{initials}</span>
        <span class='user-name'>{user.name || user.email}</span>
        <span class='sr-only'> (account menu)</span>
      </button>
      {open && (
        <ul id='user-menu-list' class='menu'>
          <li class='menu-info'>{user.email}<br /><span class='muted'>{user.role}</span></li>
          <li><button type='button' class='menu-item' onClick={() => { go('/settings/profile') }}>Profile</button></li>
          <li><button type='button' class='menu-item' onClick={() => { go('/settings/keys') }}>API keys</button></li>
          <li><button type='button' class='menu-item' onClick={() => { setOpen(false); void logout() }}>Log out</button></li>
        </ul>
      )}
    </div>
  )
}

export function Header ({ session, navOpen, onToggleNav }: { session: Session, navOpen: boolean, onToggleNav: () => void }) {
  const face = useStore(mood)
  const canToggle = session.user.role !== 'member'
  return (
    <header class='header'>
      <button type='button' class='btn btn-ghost nav-toggle' aria-expanded={navOpen} aria-controls='nav' onClick={onToggleNav}>
        <span aria-hidden='true'>☰</span><span class='sr-only'>Menu</span>
      </button>
      <a href='/chat' class='brand'>
        <Avatar mood={face.mood} reason={face.reason} />
        <span class='brand-name'>Robbie</span>
      </a>
      <div class='header-end'>
        <ConnectionDot />
        {canToggle && <KillswitchControl compact />}
        <UserMenu session={session} />
      </div>
    </header>
  )
}
