// History-API routing: real paths (`/priorities`, `/chat/<id>`), which nginx answers with index.html. Plain
// `<a href="/x">` links work: a click on a same-origin link is turned into navigate() (modified clicks, new-tab
// links and downloads are left to the browser).
import { useEffect, useState } from 'preact/hooks'

export interface Route {
  /** the path without query, e.g. `/chat/0190…` */
  path: string
  /** the path's parts, e.g. `['chat', '0190…']` */
  segments: string[]
  query: URLSearchParams
}

const listeners = new Set<(route: Route) => void>()

export function currentRoute (): Route {
  const { pathname, search } = window.location
  return { path: pathname, segments: pathname.split('/').filter(Boolean).map(decodeURIComponent), query: new URLSearchParams(search) }
}

function emit (): void {
  const route = currentRoute()
  for (const fn of listeners) fn(route)
}

/** Goes to `path` (may carry a query); `replace` keeps the history entry count as is. */
export function navigate (path: string, opts: { replace?: boolean } = {}): void {
  const here = window.location.pathname + window.location.search
  if (path === here) return
  if (opts.replace) window.history.replaceState(null, '', path)
  else window.history.pushState(null, '', path)
  emit()
}

/** Called on every route change; returns the unsubscribe. */
export function onRouteChange (fn: (route: Route) => void): () => void {
  listeners.add(fn)
  return () => { listeners.delete(fn) }
}

/** The current route, re-rendering the component when it changes. */
export function useRoute (): Route {
  const [route, setRoute] = useState(currentRoute)
  useEffect(() => onRouteChange(setRoute), [])
  return route
}

function onClick (event: MouseEvent): void {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return
  const link = (event.target as Element | null)?.closest?.('a')
  if (!link || link.target || link.hasAttribute('download') || link.origin !== window.location.origin) return
  if (link.pathname.startsWith('/api/')) return // documentation pages and the like
  if (link.hash && link.pathname === window.location.pathname) return // in-page anchors (the skip link)
  event.preventDefault()
  navigate(link.pathname + link.search)
}

/** Call once at start-up. */
export function installRouter (): void {
  window.addEventListener('popstate', emit)
  document.addEventListener('click', onClick)
}
