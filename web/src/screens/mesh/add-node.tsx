// Adding an Ollama node (SPEC §7.1, §10): Test first (POST /nodes/test: its version and models, nothing stored),
// then Add. An agent key, when asked for, is shown once.
import { useState } from 'preact/hooks'
import { api } from '../../lib/api.js'
import { toast } from '../../lib/toasts.js'
import { CopyButton } from '../../components/copy-button.js'
import { ErrorNote, Note } from '../../components/feedback.js'
import { Checkbox, TextField } from '../../components/fields.js'
import type { TestResult } from './types.js'

export function AddNode ({ onAdded }: { onAdded: () => void }) {
  const [name, setName] = useState('')
  const [baseUrl, setBaseUrl] = useState('http://')
  const [maxInflight, setMaxInflight] = useState('2')
  const [agentKey, setAgentKey] = useState(false)
  const [tested, setTested] = useState<{ url: string, result: TestResult } | null>(null)
  const [key, setKey] = useState<string | null>(null)
  const [error, setError] = useState<unknown>(null)
  const [busy, setBusy] = useState(false)

  const test = async () => {
    setBusy(true)
    setTested(null)
    try {
      const result = await api<TestResult>('POST', '/api/gpu-coordinator/nodes/test', { baseUrl: baseUrl.trim() })
      setTested({ url: baseUrl.trim(), result })
      setError(null)
    } catch (err) { setError(err) } finally { setBusy(false) }
  }
  const add = async (e: Event) => {
    e.preventDefault()
    setBusy(true)
    try {
      const node = await api<{ name: string, agent?: { key: string } }>('POST', '/api/gpu-coordinator/nodes',
        { name: name.trim(), baseUrl: baseUrl.trim(), maxInflight: Number(maxInflight), ...(agentKey ? { agentKey: true } : {}) }, { idempotencyKey: true })
      toast(`Node ${node.name} added`)
      setKey(node.agent?.key ?? null)
      setName('')
      setBaseUrl('http://')
      setTested(null)
      setError(null)
      onAdded()
    } catch (err) { setError(err) } finally { setBusy(false) }
  }

  const ready = tested?.url === baseUrl.trim()
  return (
    <form class='card add-node' onSubmit={(e) => { void add(e) }} aria-labelledby='add-node-h'>
      <h2 id='add-node-h'>Add an Ollama node</h2>
      <div class='grid-2'>
        <TextField label='Name' value={name} onValue={setName} required maxLength={100} pattern='[A-Za-z0-9][A-Za-z0-9._\-]*' hint='Letters, digits, dot, dash, underscore' />
        <TextField label='Address' type='url' value={baseUrl} onValue={setBaseUrl} required maxLength={2048} hint='e.g. http://10.0.0.12:11434' />
        <TextField label='Requests at once' type='number' min={1} max={32} value={maxInflight} onValue={setMaxInflight} />
      </div>
      <Checkbox label='Create a key for a node agent (heartbeats)' checked={agentKey} onChange={setAgentKey} />
      {tested && ready && (
        <Note kind='success'>
          <span>Ollama {tested.result.version} answered in {tested.result.latencyMs} ms with {tested.result.models.length} model{tested.result.models.length === 1 ? '' : 's'}:
            {' '}{tested.result.models.map((m) => `${m.name} (${(m.sizeMb / 1024).toFixed(1)} GB)`).join(', ') || 'none yet'}.
          </span>
        </Note>
      )}
      <ErrorNote error={error} />
      {key && (
        <Note kind='warn'>
          <span>The node agent's key, shown only now: <code class='break'>{key}</code></span>
          <CopyButton value={key} />
        </Note>
      )}
      <div class='row'>
        <button type='button' class='btn' disabled={busy || !/^https?:\/\/.+/.test(baseUrl.trim())} onClick={() => { void test() }}>Test</button>
        <button type='submit' class='btn btn-primary' disabled={busy || !ready || !name.trim()} title={ready ? undefined : 'Test the address first'}>Add node</button>
      </div>
    </form>
  )
}
