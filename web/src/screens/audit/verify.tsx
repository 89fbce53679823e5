// Verify chain (SPEC §2.4): recompute every service's hash chain, each held against the last signed checkpoint;
// and the checkpoints themselves. Owner and admins.
import { useState } from 'preact/hooks'
import { api, errorMessage, qs } from '../../lib/api.js'
import { useApi } from '../../lib/use-api.js'
import { Badge, ErrorNote, Loading } from '../../components/feedback.js'
import { Time } from '../../components/time.js'

interface VerifyResult {
  service: string,
  ok: boolean,
  checked: number,
  headSeq: number,
  headHash: string,
  checkpointOk: boolean,
  firstBadSeq?: number,
  reason?: 'hash_mismatch' | 'gap' | 'truncated'
}
interface Checkpoint { service: string, seq: number, hash: string, signedAt: string, signature: string }

const REASON = { hash_mismatch: 'a row was changed', gap: 'a row is missing', truncated: 'the chain ends before the last checkpoint' } as const

export function VerifyPanel () {
  const [results, setResults] = useState<VerifyResult[] | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const run = async () => {
    setBusy(true)
    setError(null)
    try {
      setResults((await api<{ results: VerifyResult[] }>('POST', '/api/auth/audit/verify', {})).results)
    } catch (err) {
      setError(errorMessage(err))
    } finally {
      setBusy(false)
    }
  }
  const allOk = results?.every((r) => r.ok && r.checkpointOk)
  return (
    <div class='card'>
      <div class='row'>
        <h2>Verify chain</h2>
        <span class='spacer' />
        <button type='button' class='btn btn-primary' disabled={busy} onClick={() => { void run() }}>{busy ? 'Verifying…' : 'Verify chain'}</button>
      </div>
      <p class='muted'>Recomputes every row's hash in every service and compares each chain with the last signed checkpoint. The run itself is audited.</p>
      {error && <p class='field-error' role='alert'>{error}</p>}
      <div aria-live='polite'>
        {results && (
          <>
            <p>{allOk ? <Badge kind='good'>All chains intact</Badge> : <Badge kind='bad'>Problems found</Badge>}</p>
            <div class='table-wrap'>
              <table class='table'>
                <caption class='sr-only'>Verification per service</caption>
                <thead><tr><th scope='col'>Service</th><th scope='col'>Result</th><th scope='col'>Rows checked</th><th scope='col'>Head</th><th scope='col'>Checkpoint</th><th scope='col'>First bad row</th></tr></thead>
                <tbody>
                  {results.map((r) => (
                    <tr key={r.service}>
                      <td>{r.service}</td>
                      <td>{r.ok ? <Badge kind='good'>ok</Badge> : <Badge kind='bad'>broken</Badge>}</td>
                      <td>{r.checked}</td>
                      <td><span class='mono' title={r.headHash}>#{r.headSeq} {r.headHash.slice(0, 12)}…</span></td>
                      <td>{r.checkpointOk ? <Badge kind='good'>matches</Badge> : <Badge kind='bad'>mismatch</Badge>}</td>
                      <td>{r.firstBadSeq ? <>#{r.firstBadSeq}{r.reason && <span class='muted'>: {REASON[r.reason]}</span>}</> : '—'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </>
        )}
      </div>
    </div>
  )
}

export function Checkpoints () {
  const [cursor, setCursor] = useState<string | null>(null)
  const list = useApi<{ items: Checkpoint[], nextCursor: string | null }>(`/api/auth/audit/checkpoints${qs({ limit: 50, cursor })}`)
  return (
    <div class='card'>
      <h2>Checkpoints</h2>
      <p class='muted'>Every hour auth signs each service's chain head, so a truncated chain shows up.</p>
      <ErrorNote error={list.error} />
      {list.loading && !list.data && <Loading />}
      {list.data && list.data.items.length === 0 && <p class='muted'>No checkpoints yet: the first is taken within an hour of starting.</p>}
      {list.data && list.data.items.length > 0 && (
        <div class='table-wrap'>
          <table class='table'>
            <caption class='sr-only'>Signed checkpoints</caption>
            <thead><tr><th scope='col'>Signed</th><th scope='col'>Service</th><th scope='col'>Row</th><th scope='col'>Hash</th></tr></thead>
            <tbody>
              {list.data.items.map((c) => (
                <tr key={`${c.service}-${c.seq}-${c.signedAt}`}>
                  <td><Time iso={c.signedAt} /></td><td>{c.service}</td><td>#{c.seq}</td><td class='mono' title={c.hash}>{c.hash.slice(0, 16)}…</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <div class='row'>
        {cursor && <button type='button' class='btn btn-small' onClick={() => { setCursor(null) }}>Newest</button>}
        {list.data?.nextCursor && <button type='button' class='btn btn-small' onClick={() => { setCursor(list.data!.nextCursor) }}>Older</button>}
      </div>
    </div>
  )
}
