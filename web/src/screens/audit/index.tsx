// The audit log (SPEC §2.4, §10): filters, the merged table of every service's rows (newest first), a row's
// detail, Verify chain and checkpoints (owner, admin), and a JSON Lines export of what the filters select.
import { useEffect, useState } from 'preact/hooks'
import { api, errorMessage, qs } from '../../lib/api.js'
import { useRoute } from '../../lib/router.js'
import type { Session } from '../../lib/session.js'
import { toast } from '../../lib/toasts.js'
import { Page, TabLinks } from '../../components/page.js'
import { Badge, Empty, ErrorNote, Loading } from '../../components/feedback.js'
import { Time } from '../../components/time.js'
import { AuditFilters } from './filters.js'
import { AuditDetail } from './detail.js'
import { Checkpoints, VerifyPanel } from './verify.js'
import { filterQuery, NO_FILTERS, type AuditEvent, type AuditPage, type Filters } from './types.js'

const OUTCOME_KIND = { success: 'good', denied: 'warn', failed: 'bad' } as const
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
/** A user or object id, shortened when it is a UUID (the full one is in the tooltip and the row detail). */
const Ident = ({ id }: { id: string }) => UUID.test(id) ? <span class='muted mono' title={id}>{id.slice(0, 8)}…</span> : <span class='muted'>{id}</span>
/** the export stops here: bigger extracts belong to `npm run robbie -- audit` */
const EXPORT_MAX = 10_000

async function exportJsonl (filters: Filters): Promise<number> {
  const lines: string[] = []
  let cursor: string | null = null
  do {
    const page: AuditPage = await api<AuditPage>('GET', `/api/auth/audit${qs({ ...filterQuery(filters), limit: 200, cursor })}`)
    for (const row of page.items) lines.push(JSON.stringify(row))
    cursor = page.nextCursor
  } while (cursor && lines.length < EXPORT_MAX)
  const url = URL.createObjectURL(new Blob([lines.join('\n') + (lines.length ? '\n' : '')], { type: 'application/x-ndjson' }))
  const a = document.createElement('a')
  a.href = url
  a.download = `robbie-audit-${new Date().toISOString().slice(0, 19).replaceAll(':', '')}.jsonl`
  document.body.append(a)
  a.click()
  a.remove()
  setTimeout(() => { URL.revokeObjectURL(url) }, 10_000)
  return lines.length
}

function AuditLog () {
  const [filters, setFilters] = useState<Filters>(NO_FILTERS)
  const [rows, setRows] = useState<AuditEvent[]>([])
  const [next, setNext] = useState<string | null>(null)
  const [loading, setLoading] = useState(true)
  const [error, setError] = useState<unknown>(null)
  const [selected, setSelected] = useState<AuditEvent | null>(null)
  const [exporting, setExporting] = useState(false)

  const load = async (f: Filters, cursor: string | null) => {
    setLoading(true)
    setError(null)
    try {
      const page = await api<AuditPage>('GET', `/api/auth/audit${qs({ ...filterQuery(f), limit: 50, cursor })}`)
      setRows((prev) => cursor ? [...prev, ...page.items] : page.items)
      setNext(page.nextCursor)
    } catch (err) {
      setError(err)
    } finally {
      setLoading(false)
    }
  }
  useEffect(() => { void load(filters, null) }, [filters])

  const doExport = async () => {
    setExporting(true)
    try {
      const n = await exportJsonl(filters)
      toast(`Exported ${n} rows as JSON Lines`)
    } catch (err) { toast(errorMessage(err), 'error') } finally { setExporting(false) }
  }

  return (
    <>
      <AuditFilters key={JSON.stringify(filters)} value={filters} onApply={setFilters} />
      <div class='row'>
        <span class='muted' role='status'>{loading ? 'Loading…' : `${rows.length} row(s)${next ? ' so far' : ''}`}</span>
        <span class='spacer' />
        <button type='button' class='btn' disabled={exporting} onClick={() => { void doExport() }}>{exporting ? 'Exporting…' : 'Export JSON Lines'}</button>
      </div>
      <ErrorNote error={error} onRetry={() => { void load(filters, null) }} />
      {!loading && !error && rows.length === 0 && <Empty>No audit rows match.</Empty>}
      {rows.length > 0 && (
        <div class='table-wrap'>
          <table class='table'>
            <caption class='sr-only'>Audit rows, newest first</caption>
            <thead><tr><th scope='col'>Time</th><th scope='col'>Service</th><th scope='col'>Action</th><th scope='col'>Actor</th><th scope='col'>Resource</th><th scope='col'>Outcome</th><th scope='col'><span class='sr-only'>Details</span></th></tr></thead>
            <tbody>
              {rows.map((r) => (
                <tr key={`${r.service}-${r.seq}`}>
                  <td class='nowrap'><Time iso={r.at} /></td>
                  <td>{r.service}</td>
                  <td class='mono'>{r.action}</td>
                  <td class='break'>{r.actorType}{r.actorId && <> <Ident id={r.actorId} /></>}</td>
                  <td class='break'>{r.resourceType ?? '—'}{r.resourceId && <> <Ident id={r.resourceId} /></>}</td>
                  <td><Badge kind={OUTCOME_KIND[r.outcome as keyof typeof OUTCOME_KIND] ?? 'neutral'}>{r.outcome}</Badge></td>
                  <td class='actions'><button type='button' class='btn btn-small' onClick={() => { setSelected(r) }} aria-label={`Details of ${r.service} row ${r.seq}`}>Details</button></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {loading && rows.length > 0 && <Loading />}
      {next && !loading && <button type='button' class='btn' onClick={() => { void load(filters, next) }}>Load older rows</button>}
      {selected && <AuditDetail
        row={selected} onClose={() => { setSelected(null) }}
        onTrace={(traceId) => { setSelected(null); setFilters({ ...NO_FILTERS, traceId }) }}
                   />}
    </>
  )
}

export default function Audit ({ session }: { session: Session }) {
  const route = useRoute()
  const admin = session.user.role !== 'member'
  const tab = admin && route.segments[1] === 'verify' ? 'verify' : 'log'
  return (
    <Page title='Audit log' wide>
      {admin
        ? <TabLinks label='Audit sections' current={route.path} tabs={[{ path: '/audit', label: 'Log' }, { path: '/audit/verify', label: 'Verify & checkpoints' }]} />
        : <p class='muted'>You see the rows about your own actions.</p>}
      {tab === 'log' ? <AuditLog /> : <><VerifyPanel /><Checkpoints /></>}
    </Page>
  )
}
