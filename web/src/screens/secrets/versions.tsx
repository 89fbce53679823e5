// A secret's versions (the newest 10 keep their values) and "which entry wins" for a node (no value shown).
import { useState } from 'preact/hooks'
import { api, errorMessage } from '../../lib/api.js'
import { useApi } from '../../lib/use-api.js'
import { Dialog } from '../../components/dialog.js'
import { TextField } from '../../components/fields.js'
import { Badge, ErrorNote, Loading } from '../../components/feedback.js'
import { Time } from '../../components/time.js'
import { entryPath, label, type SecretItem } from './types.js'

interface Version { version: number, createdAt: string, createdBy: string, destroyed: boolean }
interface Resolution { scope: string, scopeId: string, version: number, overrideApplied: 'node' | 'company' | null }

export function VersionsDialog ({ secret, onReveal, onClose }: { secret: SecretItem, onReveal: (version: number) => void, onClose: () => void }) {
  const list = useApi<{ items: Version[] }>(entryPath(secret, '/versions'))
  return (
    <Dialog open title={`Versions of ${label(secret)}`} onClose={onClose} wide>
      <ErrorNote error={list.error} />
      {list.loading && !list.data && <Loading />}
      {list.data && (
        <div class='table-wrap'>
          <table class='table'>
            <thead><tr><th scope='col'>Version</th><th scope='col'>Written</th><th scope='col'>By</th><th scope='col'>Value</th></tr></thead>
            <tbody>
              {list.data.items.map((v) => (
                <tr key={v.version}>
                  <td>{v.version}{v.version === secret.version && <> <Badge kind='info'>current</Badge></>}</td>
                  <td><Time iso={v.createdAt} /></td>
                  <td class='mono break'>{v.createdBy}</td>
                  <td>{v.destroyed
                    ? <span class='muted'>destroyed</span>
                    : !secret.managed && <button type='button' class='btn btn-small' onClick={() => { onReveal(v.version) }}>Reveal</button>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Dialog>
  )
}

export function ResolveDialog ({ secret, onClose }: { secret: SecretItem, onClose: () => void }) {
  const [node, setNode] = useState('')
  const [result, setResult] = useState<Resolution | null>(null)
  const [error, setError] = useState<string | null>(null)
  const check = async (e: Event) => {
    e.preventDefault()
    setError(null)
    try {
      const q = node.trim() ? `?node=${encodeURIComponent(node.trim())}` : ''
      setResult(await api<Resolution>('GET', `/api/secrets/resolve/${encodeURIComponent(secret.service)}/${encodeURIComponent(secret.name)}${q}`))
    } catch (err) {
      setResult(null)
      setError(errorMessage(err))
    }
  }
  return (
    <Dialog
      open title={`Which ${label(secret)} wins?`} onClose={onClose}
      description='A caller on a node gets the node entry, else the company entry, else the global one.'
    >
      <form id='resolve-form' class='row' onSubmit={(e) => { void check(e) }}>
        <TextField label='Node name (optional)' value={node} onValue={setNode} maxLength={100} />
        <button type='submit' class='btn'>Check</button>
      </form>
      <div aria-live='polite'>
        {result && (
          <p>The <strong>{result.scope}</strong>{result.scopeId && <> ({result.scopeId})</>} entry wins, version {result.version}
            {result.overrideApplied ? <>; a {result.overrideApplied} override applies.</> : '.'}
          </p>
        )}
        {error && <p class='field-error' role='alert'>{error}</p>}
      </div>
    </Dialog>
  )
}
