// Step 5: sample data (on by default; SPEC §11.6), then finish: onboarded_at is set and the chat opens.
import { useState } from 'preact/hooks'
import { api, ApiError, errorMessage } from '../../lib/api.js'
import { toast } from '../../lib/toasts.js'
import { Switch } from '../../components/fields.js'
import { sampleSummary, type SampleResult } from '../settings/sample-data.js'
import type { StepProps } from './index.js'

export function SampleStep ({ onNext, onBack }: StepProps) {
  const [load, setLoad] = useState(true)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)

  const finish = async () => {
    setBusy(true)
    setError(null)
    try {
      if (load) {
        try {
          const r = await api<SampleResult>('POST', '/api/auth/sample-data')
          // a service without its share yet does not stop the wizard; Settings → Sample data can retry
          toast(r.ok ? 'Sample data loaded' : `Sample data loaded in part: ${sampleSummary(r)}`, r.ok ? 'success' : 'info')
        } catch (err) {
          if (!(err instanceof ApiError && err.status === 404)) throw err
          toast('Sample data is not available in this version yet', 'info')
        }
      }
      await api('PATCH', '/api/auth/company', { onboarded: true })
      onNext()
    } catch (err) {
      setError(errorMessage(err))
      setBusy(false)
    }
  }

  return (
    <>
      <p>Try Robbie with a small made-up company: a dozen tasks across the priority board, three deals, a few people and notes,
        a secret due for rotation and a welcome conversation. Every sample row is marked, and Settings → Sample data removes them all.
      </p>
      <Switch label='Load sample data' checked={load} onChange={setLoad} />
      {error && <p class='field-error' role='alert'>{error}</p>}
      <div class='wizard-actions'>
        <button type='button' class='btn' onClick={onBack}>Back</button>
        <button type='button' class='btn btn-primary' disabled={busy} onClick={() => { void finish() }}>{busy ? 'Finishing…' : 'Finish and open the chat'}</button>
      </div>
    </>
  )
}
