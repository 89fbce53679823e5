// The seal banner (SPEC §5.2): sealed → what is wrong and, for the owner, the Unseal form; unsealed → key ids
// and the master-key rotation (owner).
import { useState } from 'preact/hooks'
import { api, ApiError, errorMessage } from '../../lib/api.js'
import { toast } from '../../lib/toasts.js'
import { TextField } from '../../components/fields.js'
import { Confirm } from '../../components/dialog.js'
import type { SealStatus } from './types.js'

const REASONS: Record<NonNullable<SealStatus['reason']>, string> = {
  missing_key: 'the service started without a master key',
  bad_key_length: 'the configured master key is not 32 bytes',
  key_mismatch: 'the configured master key does not open the stored data keys'
}

export function SealBanner ({ status, isOwner, onChange }: { status: SealStatus, isOwner: boolean, onChange: (s: SealStatus) => void }) {
  const [key, setKey] = useState('')
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const [rotating, setRotating] = useState(false)

  const unseal = async (e: Event) => {
    e.preventDefault()
    setBusy(true)
    setError(null)
    try {
      onChange(await api<SealStatus>('POST', '/api/secrets/unseal', { key: key.trim() }))
      setKey('')
      toast('Secrets unsealed')
    } catch (err) {
      setError(err instanceof ApiError && err.code === 'SECRETS_KEY_MISMATCH' ? 'That key does not match this installation’s master key.' : errorMessage(err))
    } finally {
      setBusy(false)
    }
  }
  const rotate = async () => {
    setRotating(false)
    try {
      await api('POST', '/api/secrets/master-key/rotate', {}, { idempotencyKey: true })
      toast('Master-key rotation started: data keys are being re-wrapped')
      onChange(await api<SealStatus>('GET', '/api/secrets/seal-status'))
    } catch (err) {
      toast(err instanceof ApiError && err.code === 'SECRETS_NO_PREVIOUS_KEY'
        ? 'Rotation needs the old key configured as the previous key (ROBBIE_SECRETS_MASTER_KEY_PREVIOUS_FILE).'
        : errorMessage(err), 'error')
    }
  }

  if (status.sealed) {
    return (
      <div class='note note-error' role='alert'>
        <div>
          <strong>Sealed:</strong> {status.reason ? REASONS[status.reason] : 'no master key'}. Secrets can be neither read nor written until the
          service is unsealed.
          {isOwner
            ? (
              <form class='form-narrow' onSubmit={(e) => { void unseal(e) }}>
                <TextField
                  label='Master key' type='password' value={key} onValue={setKey} required maxLength={100} autoComplete='off'
                  hint='Base64 of 32 bytes. It unseals this replica until it restarts; it is never stored.'
                />
                {error && <p class='field-error' role='alert'>{error}</p>}
                <button type='submit' class='btn btn-primary' disabled={busy || !key.trim()}>Unseal</button>
              </form>)
            : <p>Ask the owner to unseal it.</p>}
        </div>
      </div>
    )
  }
  return (
    <div class='note note-success'>
      <span><strong>Unsealed.</strong> Master key <code>{status.masterKeyId ?? '—'}</code>{status.previousKeyId && <> (previous <code>{status.previousKeyId}</code>)</>},
        {' '}{status.dataKeys} data keys{status.rewrap && <> · re-wrapping {status.rewrap.done}/{status.rewrap.total}</>}.
      </span>
      {isOwner && <button type='button' class='btn btn-small' onClick={() => { setRotating(true) }}>Rotate master key</button>}
      <Confirm open={rotating} title='Rotate the master key?' confirmLabel='Start rotation' onClose={() => { setRotating(false) }} onConfirm={rotate}>
        <p>Every data key is re-wrapped with the current master key while secrets stay readable. The old key must be configured as the previous key.</p>
      </Confirm>
    </div>
  )
}
