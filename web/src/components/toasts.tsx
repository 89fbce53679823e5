// The toast region: one polite live region (assertive for errors) in the corner.
import { dismissToast, toasts } from '../lib/toasts.js'
import { useStore } from '../lib/store.js'

export function Toasts () {
  const list = useStore(toasts)
  return (
    <div class='toasts'>
      <div role='status' aria-live='polite'>
        {list.filter((t) => t.kind !== 'error').map((t) => (
          <div key={t.id} class={`toast toast-${t.kind}`}>
            <span>{t.text}</span>
            <button type='button' class='btn-icon' aria-label='Dismiss' onClick={() => { dismissToast(t.id) }}>×</button>
          </div>
        ))}
      </div>
      <div role='alert'>
        {list.filter((t) => t.kind === 'error').map((t) => (
          <div key={t.id} class='toast toast-error'>
            <span>{t.text}</span>
            <button type='button' class='btn-icon' aria-label='Dismiss' onClick={() => { dismissToast(t.id) }}>×</button>
          </div>
        ))}
      </div>
    </div>
  )
}
