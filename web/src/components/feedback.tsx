// Inline states every screen needs: an error from the API, loading, empty lists, badges.
import type { ComponentChildren } from 'preact'
import { errorMessage } from '../lib/api.js'

/** An error from a failed call, announced to screen readers. */
export function ErrorNote ({ error, onRetry }: { error: unknown, onRetry?: () => void }) {
  if (!error) return null
  return (
    <div class='note note-error' role='alert'>
      <span>{errorMessage(error)}</span>
      {onRetry && <button type='button' class='btn btn-small' onClick={onRetry}>Try again</button>}
    </div>
  )
}

export function Loading ({ label = 'Loading…' }: { label?: string }) {
  return <p class='muted loading' role='status'>{label}</p>
}

export function Empty ({ children }: { children: ComponentChildren }) {
  return <p class='empty muted'>{children}</p>
}

export function Note ({ kind = 'info', children }: { kind?: 'info' | 'warn' | 'error' | 'success', children: ComponentChildren }) {
  return <div class={`note note-${kind}`}>{children}</div>
}

export function Badge ({ kind = 'neutral', children, title }: { kind?: 'neutral' | 'good' | 'warn' | 'bad' | 'info', children: ComponentChildren, title?: string }) {
  return <span class={`badge badge-${kind}`} title={title}>{children}</span>
}
