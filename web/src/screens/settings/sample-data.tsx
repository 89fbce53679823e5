// Sample data (SPEC §11.6): load or remove every sample row, across all services (owner).
import { useState } from 'preact/hooks'
import { api, ApiError, errorMessage } from '../../lib/api.js'
import { toast } from '../../lib/toasts.js'
import { Confirm } from '../../components/dialog.js'
import { Note } from '../../components/feedback.js'

export interface SampleResult { ok: boolean, services: Array<{ service: string, ok: boolean, error?: string }> }

/** "priorities ✓, secrets ✓, chat ✗ (CHAT_UNAVAILABLE)": how each service fared. */
export const sampleSummary = (r: SampleResult): string =>
  r.services.map((s) => `${s.service} ${s.ok ? '✓' : `✗ (${s.error ?? 'failed'})`}`).join(', ')

export function SampleDataTab () {
  const [busy, setBusy] = useState(false)
  const [removing, setRemoving] = useState(false)
  const [missing, setMissing] = useState(false)
  const [result, setResult] = useState<SampleResult | null>(null)

  const call = async (method: 'POST' | 'DELETE', done: string) => {
    setBusy(true)
    try {
      const r = await api<SampleResult>(method, '/api/auth/sample-data')
      setResult(r)
      toast(r.ok ? done : `${done}, partly: ${sampleSummary(r)}`, r.ok ? 'success' : 'error')
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) setMissing(true)
      else toast(errorMessage(err), 'error')
    } finally {
      setBusy(false)
      setRemoving(false)
    }
  }

  return (
    <div class='card'>
      <h2>Sample data</h2>
      <p>A small made-up company to try Robbie with: twelve tasks across the priority board, three deals, people, five notes, a secret due for
        rotation and a welcome conversation. Every sample row is tagged, so removing them leaves your own data alone.
      </p>
      {missing && <Note kind='warn'>Sample data is not available in this version yet.</Note>}
      {result && <p class='muted' role='status'>Last run: {sampleSummary(result)}</p>}
      <div class='row'>
        <button type='button' class='btn btn-primary' disabled={busy} onClick={() => { void call('POST', 'Sample data loaded') }}>Load sample data</button>
        <button type='button' class='btn btn-danger' disabled={busy} onClick={() => { setRemoving(true) }}>Remove sample data</button>
      </div>
      <Confirm
        open={removing} title='Remove all sample data?' confirmLabel='Remove sample data' danger busy={busy}
        onClose={() => { setRemoving(false) }} onConfirm={() => call('DELETE', 'Sample data removed')}
      >
        <p>Every row tagged as sample is deleted from every service. Your own data stays.</p>
      </Confirm>
    </div>
  )
}
