// The main navigation: every screen the user's role can use, the current one marked for assistive technology.
import type { Role } from '../lib/session.js'
import { navFor } from './nav-items.js'

export function Nav ({ role, current, open, onNavigate }: { role: Role, current: string, open: boolean, onNavigate: () => void }) {
  return (
    <nav id='nav' class={open ? 'nav nav-open' : 'nav'} aria-label='Main'>
      <ul>
        {navFor(role).map((item) => {
          const here = current === item.path || current.startsWith(item.path + '/')
          return (
            <li key={item.path}>
              <a href={item.path} aria-current={here ? 'page' : undefined} onClick={onNavigate}>{item.label}</a>
            </li>
          )
        })}
      </ul>
    </nav>
  )
}
