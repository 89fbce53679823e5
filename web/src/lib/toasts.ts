// Short notices ("Key revoked") shown in one polite live region (components/toasts.tsx).
import { createStore } from './store.js'

export interface Toast { id: number, kind: 'info' | 'success' | 'error', text: string }

export const toasts = createStore<Toast[]>([])
let nextId = 1

export function dismissToast (id: number): void {
  toasts.set(toasts.get().filter((t) => t.id !== id))
}

/** Shows `text` for a few seconds (errors stay longer). */
export function toast (text: string, kind: Toast['kind'] = 'success'): void {
  const id = nextId++
  toasts.set([...toasts.get(), { id, kind, text }])
  setTimeout(() => { dismissToast(id) }, kind === 'error' ? 8000 : 4000)
}
