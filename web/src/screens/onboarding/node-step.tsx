// Step 4: connect an Ollama machine (Test first, then Add), or go on without one: no-model mode.
import { useState } from 'preact/hooks'
import { api, ApiError, errorMessage } from '../../lib/api.js'
import { TextField } from '../../components/fields.js'
import { Note } from '../../components/feedback.js'
import type { StepProps } from './index.js'

interface TestResult { ok: true, version: string, models: Array<{ name: string, sizeMb: number }>, latencyMs: number }

const nodeError = (err: unknown): string => {
  if (err instanceof ApiError && err.code === 'GPU_COORDINATOR_NODE_UNREACHABLE') return 'Robbie could not reach Ollama at that address.'
  if (err instanceof ApiError && err.code === 'GPU_COORDINATOR_URL_NOT_ALLOWED') return 'That address is not allowed (link-local, metadata or similar).'
  if (err instanceof ApiError && (err.status === 404 || err.status === 502)) return 'The GPU coordinator is not available yet: skip this step and add the node later under GPU mesh.'
  return errorMessage(err)
}

export function NodeStep ({ onNext, onBack }: StepProps) {
  const [name, setName] = useState('gpu-1')
  const [baseUrl, setBaseUrl] = useState('http://localhost:11434')
  const [tested, setTested] = useState<TestResult | null>(null)
  const [added, setAdded] = useState(false)
  const [skipped, setSkipped] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)

  const run = async (fn: () => Promise<void>) => {
    setBusy(true)
    setError(null)
    try { await fn() } catch (err) { setError(nodeError(err)) } finally { setBusy(false) }
  }
  const test = async () => run(async () => { setTested(await api<TestResult>('POST', '/api/gpu-coordinator/nodes/test', { baseUrl: baseUrl.trim() })) })
  const add = async () => run(async () => {
    await api('POST', '/api/gpu-coordinator/nodes', { name: name.trim(), baseUrl: baseUrl.trim() }, { idempotencyKey: true })
    setAdded(true)
  })

  if (skipped) {
    return (
      <>
        <Note>
          <div>
            <strong>No-model mode.</strong> Without a language model Robbie still runs every command (<code>/priorities</code>, <code>/task add</code>,
            <code>/help</code>…), keeps your priorities, notes and secrets, and says plainly that free-form conversation needs a model.
            Add a GPU machine later under <strong>GPU mesh</strong>.
          </div>
        </Note>
        <div class='wizard-actions'>
          <button type='button' class='btn' onClick={() => { setSkipped(false) }}>Back</button>
          <button type='button' class='btn btn-primary' onClick={onNext}>Continue</button>
        </div>
      </>
    )
  }

  return (
    <>
      <p>Robbie talks through Ollama on your own GPU machines. Enter one machine's address, test it, then add it.</p>
      <TextField label='Node name' value={name} onValue={setName} maxLength={100} required hint='Letters, digits, dots, dashes.' />
      <TextField label='Ollama URL' type='url' value={baseUrl} onValue={(v) => { setBaseUrl(v); setTested(null) }} maxLength={2048} required />
      <div class='row'>
        <button type='button' class='btn' disabled={busy || !baseUrl.trim()} onClick={() => { void test() }}>Test</button>
        <button type='button' class='btn btn-primary' disabled={busy || !tested || added || !name.trim()} onClick={() => { void add() }}>Add node</button>
      </div>
      <div aria-live='polite'>
        {tested && (
          <Note kind='success'>
            <div>Ollama {tested.version} answered in {tested.latencyMs} ms with {tested.models.length} model(s)
              {tested.models.length > 0 && <>: {tested.models.map((m) => m.name).join(', ')}</>}.
            </div>
          </Note>
        )}
        {added && <Note kind='success'>Node “{name}” added.</Note>}
      </div>
      {error && <p class='field-error' role='alert'>{error}</p>}
      <div class='wizard-actions'>
        <button type='button' class='btn' onClick={onBack}>Back</button>
        <span class='row'>
          {!added && <button type='button' class='btn' onClick={() => { setSkipped(true) }}>Skip: no model for now</button>}
          {added && <button type='button' class='btn btn-primary' onClick={onNext}>Continue</button>}
        </span>
      </div>
    </>
  )
}
