// The nodes table (SPEC §10 GPU mesh): status, breaker, GPU memory, loaded models, in flight, tokens/s, last seen,
// and drain / enable / probe / remove.
import { useState } from 'preact/hooks'
import { api } from '../../lib/api.js'
import { toast } from '../../lib/toasts.js'
import { Confirm } from '../../components/dialog.js'
import { Badge } from '../../components/feedback.js'
import { Time } from '../../components/time.js'
import type { MeshNode } from './types.js'

const STATUS_KIND: Record<string, 'good' | 'warn' | 'bad' | 'neutral' | 'info'> = {
  healthy: 'good', degraded: 'warn', busy: 'info', unhealthy: 'bad', offline: 'bad', draining: 'warn', disabled: 'neutral'
}

export function NodesTable ({ nodes, onChanged }: { nodes: MeshNode[], onChanged: () => void }) {
  const [busy, setBusy] = useState<string | null>(null)
  const [removing, setRemoving] = useState<MeshNode | null>(null)

  const run = async (node: MeshNode, what: string, fn: () => Promise<unknown>) => {
    setBusy(node.id)
    try {
      await fn()
      toast(`${node.name}: ${what}`)
      onChanged()
    } catch (err) { toast((err as Error).message, 'error') } finally { setBusy(null) }
  }
  const patch = (node: MeshNode, body: Record<string, boolean>, what: string) =>
    run(node, what, () => api('PATCH', `/api/gpu-coordinator/nodes/${node.id}`, body))

  return (
    <div class='table-wrap'>
      <table class='table nodes'>
        <thead>
          <tr>
            <th scope='col'>Node</th><th scope='col'>Status</th><th scope='col'>Breaker</th><th scope='col'>GPU memory</th>
            <th scope='col'>Loaded</th><th scope='col'>In flight</th><th scope='col'>Tokens/s</th><th scope='col'>Last seen</th>
            <th scope='col'><span class='sr-only'>Actions</span></th>
          </tr>
        </thead>
        <tbody>
          {nodes.map((n) => {
            const mem = n.gpu
            const tps = Object.entries(n.tokPerSec)
            return (
              <tr key={n.id}>
                <th scope='row'>{n.name}{Object.keys(n.labels).length > 0 && <div class='muted small'>{Object.entries(n.labels).map(([k, v]) => `${k}=${v}`).join(' ')}</div>}</th>
                <td><Badge kind={STATUS_KIND[n.status] ?? 'neutral'}>{n.status}</Badge></td>
                <td><Badge kind={n.breaker === 'closed' ? 'good' : n.breaker === 'open' ? 'bad' : 'warn'}>{n.breaker}</Badge></td>
                <td>
                  {mem
                    ? (
                      <>
                        <meter min={0} max={mem.memoryMb || 1} value={mem.memoryUsedMb ?? 0} aria-label={`${n.name} GPU memory used`} />
                        <div class='small'>{mem.memoryUsedMb !== undefined ? `${(mem.memoryUsedMb / 1024).toFixed(1)} / ` : ''}{(mem.memoryMb / 1024).toFixed(1)} GB · {mem.count}× {mem.type}</div>
                      </>
                      )
                    : <span class='muted'>unknown</span>}
                </td>
                <td>{n.loaded.length === 0 ? <span class='muted'>none</span> : n.loaded.map((m) => <div key={m.model} class='small'>{m.model}</div>)}</td>
                <td class='num'>{n.inflight} / {n.maxInflight}</td>
                <td>{tps.length === 0 ? <span class='muted'>—</span> : tps.map(([m, v]) => <div key={m} class='small'>{m}: {v.toFixed(0)}</div>)}</td>
                <td><Time iso={n.lastSeenAt} /></td>
                <td class='actions'>
                  {n.status === 'draining'
                    ? <button type='button' class='btn btn-small' disabled={busy === n.id} onClick={() => { void patch(n, { draining: false }, 'back in service') }}>Undrain</button>
                    : <button type='button' class='btn btn-small' disabled={busy === n.id || n.status === 'disabled'} onClick={() => { void patch(n, { draining: true }, 'draining') }}>Drain</button>}
                  {n.status === 'disabled'
                    ? <button type='button' class='btn btn-small' disabled={busy === n.id} onClick={() => { void patch(n, { enabled: true }, 'enabled') }}>Enable</button>
                    : <button type='button' class='btn btn-small' disabled={busy === n.id} onClick={() => { void patch(n, { enabled: false }, 'disabled') }}>Disable</button>}
                  <button type='button' class='btn btn-small' disabled={busy === n.id} onClick={() => { void run(n, 'probed', () => api('POST', `/api/gpu-coordinator/nodes/${n.id}/probe`)) }}>Probe</button>
                  <button type='button' class='btn btn-small btn-danger' disabled={busy === n.id} onClick={() => { setRemoving(n) }}>Remove</button>
                </td>
              </tr>
            )
          })}
        </tbody>
      </table>
      <Confirm
        open={removing !== null} title={`Remove ${removing?.name ?? 'node'}?`} confirmLabel='Remove' danger busy={busy !== null}
        onClose={() => { setRemoving(null) }}
        onConfirm={async () => { const n = removing; setRemoving(null); if (n) await run(n, 'removed', () => api('DELETE', `/api/gpu-coordinator/nodes/${n.id}`)) }}
      >
        <p>Robbie stops sending it requests, waits up to 60 seconds for the ones in flight, then forgets the node.</p>
      </Confirm>
    </div>
  )
}
