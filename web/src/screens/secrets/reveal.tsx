// Reveal (SPEC §5.3): asks for a reason (recorded in the audit log before the value is returned), shows the
// value for 30 seconds, then forgets it.
import { useEffect, useState } from 'preact/hooks'
import { api, ApiError, errorMessage } from '../../lib/api.js'
import { Dialog } from '../../components/dialog.js'
import { TextField } from '../../components/fields.js'
import { CopyButton } from '../../components/copy-button.js'
import { entryPath, label, type SecretItem } from './types.js'

const SHOW_S = 30

export function RevealDialog ({ secret, version, onClose }: { secret: SecretItem, version?: number, onClose: () => void }) {
  const [reason, setReason] = useState('')
  const [value, setValue] = useState<string | null>(null)
  const [left, setLeft] = useState(SHOW_S)
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)

  useEffect(() => {
    if (value === null) return
    const timer = setInterval(() => {
      setLeft((s) => {
        if (s <= 1) { setValue(null); return 0 }
        return s - 1
      })
    }, 1000)
    return () => { clearInterval(timer) }
  }, [value !== null])

  const reveal = async (e: Event) => {
    e.preventDefault()
    setBusy(true)
    setError(null)
    try {
      const r = await api<{ value: string }>('POST', entryPath(secret, '/reveal'), { reason: reason.trim(), ...(version ? { version } : {}) })
      setLeft(SHOW_S)
      setValue(r.value)
    } catch (err) {
      setError(err instanceof ApiError && err.code === 'SECRETS_MANAGED' ? 'This secret is managed by an integration and cannot be revealed.' : errorMessage(err))
    } finally {
      setBusy(false)
    }
  }

  const expired = value === null && left === 0
  const actions = value === null && !expired
    ? (
      <>
        <button type='button' class='btn' onClick={onClose}>Cancel</button>
        <button type='submit' form='reveal-form' class='btn btn-primary' disabled={busy || reason.trim().length < 3}>Reveal</button>
      </>
      )
    : <button type='button' class='btn btn-primary' onClick={onClose}>Close</button>
  return (
    <Dialog open title={`Reveal ${label(secret)}${version ? ` (version ${version})` : ''}`} onClose={onClose} actions={actions}>
      {value !== null && (
        <>
          <div class='field'>
            <label for='revealed-value'>Value</label>
            <input id='revealed-value' class='secret-value' readOnly value={value} autoComplete='off' onFocus={(e) => { e.currentTarget.select() }} />
          </div>
          <div class='row'>
            <CopyButton value={value} fieldId='revealed-value' />
            <span class='muted countdown' aria-live='off'>Hidden again in {left} s</span>
          </div>
        </>
      )}
      {expired && <p role='status'>The value is hidden again. Reveal it once more if you still need it.</p>}
      {value === null && !expired && (
        <form id='reveal-form' onSubmit={(e) => { void reveal(e) }}>
          <TextField
            label='Reason' value={reason} onValue={setReason} required minLength={3} maxLength={200}
            hint='Why you need the value. It goes into the audit log with your name.'
          />
          {error && <p class='field-error' role='alert'>{error}</p>}
        </form>
      )}
    </Dialog>
  )
}
