// The screens of the main navigation, with their `g <key>` shortcut (SPEC §10). Plain data: the browser tests
// walk this list too.
import type { Role } from '../lib/session.js'

export interface NavItem { path: string, label: string, roles?: Role[], key?: string }

export const NAV: NavItem[] = [
  { path: '/chat', label: 'Chat', key: 'c' },
  { path: '/priorities', label: 'Priorities', key: 'p' },
  { path: '/approvals', label: 'Approvals', key: 'a' },
  { path: '/notes', label: 'Notes', key: 'n' },
  { path: '/personality', label: 'Personality' },
  { path: '/mesh', label: 'GPU mesh', key: 'm' },
  { path: '/secrets', label: 'Secrets', roles: ['owner', 'admin'] },
  { path: '/audit', label: 'Audit log' },
  { path: '/system', label: 'System', roles: ['owner', 'admin'] },
  { path: '/settings', label: 'Settings', key: 's' }
]

export const navFor = (role: Role): NavItem[] => NAV.filter((item) => !item.roles || item.roles.includes(role))
