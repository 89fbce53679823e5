// One audit row in full, read again from GET /api/auth/audit/:service/:seq (with its prevHash and hash).
import { Fragment } from 'preact'
import { useApi } from '../../lib/use-api.js'
import { dateTime } from '../../lib/format.js'
import { Dialog } from '../../components/dialog.js'
import { ErrorNote, Loading } from '../../components/feedback.js'
import type { AuditEvent } from './types.js'

export function AuditDetail ({ row, onClose, onTrace }: { row: AuditEvent, onClose: () => void, onTrace: (traceId: string) => void }) {
  const full = useApi<AuditEvent>(`/api/auth/audit/${encodeURIComponent(row.service)}/${row.seq}`)
  const r = full.data ?? row
  const fields: Array<[string, string | null]> = [
    ['Time', dateTime(r.at)], ['Service', `${r.service} #${r.seq}`], ['Action', r.action], ['Outcome', r.outcome],
    ['Actor', `${r.actorType}${r.actorId ? `: ${r.actorId}` : ''}`], ['On behalf of', r.onBehalfOf],
    ['Resource', r.resourceType ? `${r.resourceType}${r.resourceId ? `: ${r.resourceId}` : ''}` : null],
    ['Request id', r.requestId], ['Trace id', r.traceId], ['Address', r.ip], ['Previous hash', r.prevHash], ['Hash', r.hash]
  ]
  return (
    <Dialog open wide title={`Audit row ${r.service} #${r.seq}`} onClose={onClose}>
      <ErrorNote error={full.error} />
      {full.loading && <Loading />}
      <dl class='kv'>
        {fields.filter(([, v]) => v).map(([k, v]) => <Fragment key={k}><dt>{k}</dt><dd class={/hash| id/i.test(k) ? 'mono break' : undefined}>{v}</dd></Fragment>)}
      </dl>
      <h3>Details</h3>
      <pre class='json'>{JSON.stringify(r.details, null, 2)}</pre>
      {r.traceId && <button type='button' class='btn btn-small' onClick={() => { onTrace(r.traceId!) }}>Show everything in this trace</button>}
    </Dialog>
  )
}
