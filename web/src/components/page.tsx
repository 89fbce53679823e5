// A screen's frame: its heading (focused after navigation, so screen readers announce the new screen) and
// optional actions beside it.
import type { ComponentChildren } from 'preact'
import { useEffect } from 'preact/hooks'

export function Page ({ title, actions, children, wide }: { title: string, actions?: ComponentChildren, children: ComponentChildren, wide?: boolean }) {
  useEffect(() => { document.title = `${title} · Robbie` }, [title])
  return (
    <section class={wide ? 'page page-wide' : 'page'} aria-labelledby='page-title'>
      <div class='page-head'>
        <h1 id='page-title' tabIndex={-1}>{title}</h1>
        {actions && <div class='page-actions'>{actions}</div>}
      </div>
      {children}
    </section>
  )
}

/** Tabs that are links (each tab is its own URL, so reload and Back work). */
export function TabLinks ({ tabs, current, label }: { tabs: Array<{ path: string, label: string }>, current: string, label: string }) {
  return (
    <nav class='tabs' aria-label={label}>
      {tabs.map((t) => (
        <a key={t.path} href={t.path} class='tab' aria-current={current === t.path ? 'page' : undefined}>{t.label}</a>
      ))}
    </nav>
  )
}
