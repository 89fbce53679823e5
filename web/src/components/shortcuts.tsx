// App-wide keyboard shortcuts (SPEC §10): `g` + a letter goes to a screen, `?` shows the list. Ignored while
// typing in a field. Screen-specific keys (j/k, n, e, x, a/r/u, Esc) belong to the screens.
import { useEffect, useState } from 'preact/hooks'
import { navigate } from '../lib/router.js'
import { Dialog } from './dialog.js'
import { NAV } from './nav-items.js'

const typing = (el: EventTarget | null): boolean =>
  el instanceof HTMLElement && (el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName))

const HELP: Array<[string, string]> = [
  ...NAV.filter((n) => n.key).map((n): [string, string] => [`g ${n.key!}`, n.label]),
  ['/', 'Focus the message box (chat)'],
  ['n', 'New conversation or task'],
  ['j / k', 'Next / previous item'],
  ['e / x', 'Edit / mark done'],
  ['a / r / u', 'Approve / reject / undo the selected action'],
  ['Esc', 'Stop generation, close a drawer or dialog'],
  ['?', 'This list']
]

export function Shortcuts () {
  const [help, setHelp] = useState(false)
  useEffect(() => {
    let pendingG = 0
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || typing(e.target)) return
      if (document.querySelector('dialog[open]')) return
      if (e.key === '?') { e.preventDefault(); setHelp(true); return }
      if (e.key === 'g') { pendingG = Date.now(); return }
      if (pendingG && Date.now() - pendingG < 1500) {
        pendingG = 0
        const item = NAV.find((n) => n.key === e.key)
        if (item) { e.preventDefault(); navigate(item.path) }
      }
    }
    document.addEventListener('keydown', onKey)
    return () => { document.removeEventListener('keydown', onKey) }
  }, [])
  return (
    <Dialog open={help} title='Keyboard shortcuts' onClose={() => { setHelp(false) }}>
      <table class='table'>
        <thead><tr><th scope='col'>Keys</th><th scope='col'>Action</th></tr></thead>
        <tbody>{HELP.map(([k, v]) => <tr key={k}><td><kbd>{k}</kbd></td><td>{v}</td></tr>)}</tbody>
      </table>
    </Dialog>
  )
}
