// The routing decision log (SPEC §7.4, owner and admins): which node served each model call and why. Opened from
// a chat reply with `?requestId=` it shows that one decision.
import { Fragment } from 'preact'
import { useState } from 'preact/hooks'
import { qs } from '../../lib/api.js'
import { useApi } from '../../lib/use-api.js'
import { Badge, Empty, ErrorNote, Loading } from '../../components/feedback.js'
import { Time } from '../../components/time.js'
import type { Decision } from './types.js'

export function Decisions ({ requestId }: { requestId: string | null }) {
  const list = useApi<{ items: Decision[] }>(`/api/gpu-coordinator/decisions${qs({ requestId, limit: 50 })}`)
  const [open, setOpen] = useState<string | null>(requestId)
  if (list.error) return <ErrorNote error={list.error} onRetry={() => { void list.reload() }} />
  if (!list.data) return <Loading />
  if (list.data.items.length === 0) return <Empty>{requestId ? 'No decision with that request id (they are kept 7 days).' : 'No model calls yet.'}</Empty>
  return (
    <div class='table-wrap'>
      <table class='table'>
        <thead>
          <tr><th scope='col'>When</th><th scope='col'>Model</th><th scope='col'>Class</th><th scope='col'>Node</th><th scope='col'>Queue</th>
            <th scope='col'>First token</th><th scope='col'>Outcome</th><th scope='col'><span class='sr-only'>Details</span></th>
          </tr>
        </thead>
        <tbody>
          {list.data.items.map((d) => (
            <Fragment key={d.id}>
              <tr>
                <td><Time iso={d.at} /></td>
                <td>{d.model}</td>
                <td>{d.class}</td>
                <td>{d.chosen ?? '—'}{d.failovers > 0 && <span class='muted'> ({d.failovers} failover{d.failovers === 1 ? '' : 's'})</span>}</td>
                <td class='num'>{d.queueMs} ms</td>
                <td class='num'>{d.ttftMs === null ? '—' : `${d.ttftMs} ms`}</td>
                <td><Badge kind={d.outcome === 'ok' || d.outcome === 'done' || d.outcome === 'success' ? 'good' : 'warn'}>{d.outcome}</Badge></td>
                <td class='actions'>
                  <button type='button' class='btn btn-small' aria-expanded={open === d.requestId} onClick={() => { setOpen(open === d.requestId ? null : d.requestId) }}>Candidates</button>
                </td>
              </tr>
              {open === d.requestId && (
                <tr>
                  <td colSpan={8}>
                    <p class='muted small'>Request {d.requestId} · {d.identity} · {d.tokensOut ?? 0} tokens in {d.durationMs} ms</p>
                    <ul class='candidates'>
                      {d.candidates.map((c) => (
                        <li key={c.node}>
                          <strong>{c.node}</strong> {c.eligible ? `score ${c.score.toFixed(0)}` : <span class='muted'>not eligible: {c.reason ?? 'unknown'}</span>}
                          {c.eligible && <span class='muted small'> ({Object.entries(c.components).map(([k, v]) => `${k} ${Number(v).toFixed(2)}`).join(', ')})</span>}
                        </li>
                      ))}
                    </ul>
                  </td>
                </tr>
              )}
            </Fragment>
          ))}
        </tbody>
      </table>
    </div>
  )
}
