// System (SPEC §10): readiness of every service (GET /api/<svc>/readyz and /healthz, both public) and each
// service's dead letters with replay (owner, admin). Consumer lag and outbox depth are Prometheus metrics on the
// services' own ports (SPEC §11.1), not part of the public API, so they are not shown here.
import { useEffect, useState } from 'preact/hooks'
import { SERVICES } from '@robbie/contracts/fleet'
import { api, ApiError, errorMessage } from '../../lib/api.js'
import { toast } from '../../lib/toasts.js'
import { Page } from '../../components/page.js'
import { Badge } from '../../components/feedback.js'
import { Time } from '../../components/time.js'

interface Check { ok: boolean, detail?: string }
interface Health { status: 'ready' | 'not_ready' | 'down', checks: Record<string, Check>, version?: string, uptimeS?: number }
interface DeadLetter { id: string, type: string, eventId: string, deliveries: number, lastError: string, deadAt: string }

const uptime = (s: number): string => s >= 86_400 ? `${Math.floor(s / 86_400)} d` : s >= 3600 ? `${Math.floor(s / 3600)} h` : `${Math.floor(s / 60)} min`

/** readyz answers 503 with its checks when not ready: that body is the answer, not an error. */
async function probe (service: string): Promise<Health> {
  const res = await fetch(`/api/${service}/readyz`).catch(() => null)
  if (!res) return { status: 'down', checks: {} }
  const body = await res.json().catch(() => null) as { status?: string, checks?: Record<string, Check> } | null
  if (!body?.checks) return { status: 'down', checks: {} }
  const health: Health = { status: body.status === 'ready' ? 'ready' : 'not_ready', checks: body.checks }
  const h = await api<{ version: string, uptimeS: number }>('GET', `/api/${service}/healthz`, undefined, { auth: false }).catch(() => null)
  return h ? { ...health, version: h.version, uptimeS: h.uptimeS } : health
}

function DeadLetters ({ service }: { service: string }) {
  const [items, setItems] = useState<DeadLetter[] | null>(null)
  const [absent, setAbsent] = useState(false)
  const load = async () => {
    try {
      setItems((await api<{ items: DeadLetter[] }>('GET', `/api/${service}/admin/dead-letters?limit=50`)).items)
    } catch (err) {
      if (err instanceof ApiError && err.status !== 404 && err.status !== 502) toast(errorMessage(err), 'error')
      setAbsent(true)
    }
  }
  useEffect(() => { void load() }, [service])
  const replay = async (id: string) => {
    try {
      await api('POST', `/api/${service}/admin/dead-letters/${encodeURIComponent(id)}/replay`)
      toast('Dead letter replayed')
      await load()
    } catch (err) { toast(errorMessage(err), 'error') }
  }
  if (absent) return <p class='muted'>Dead letters: —</p>
  if (!items) return <p class='muted'>Dead letters: …</p>
  if (items.length === 0) return <p class='muted'>Dead letters: 0</p>
  return (
    <details>
      <summary>Dead letters: <Badge kind='bad'>{items.length}</Badge></summary>
      <ul class='checks'>
        {items.map((d) => (
          <li key={d.id}>
            <span class='break'><code>{d.type}</code> · {d.deliveries}× · <Time iso={d.deadAt} /><br /><span class='muted'>{d.lastError}</span></span>
            <button type='button' class='btn btn-small' onClick={() => { void replay(d.id) }}>Replay</button>
          </li>
        ))}
      </ul>
    </details>
  )
}

export default function System () {
  const [health, setHealth] = useState<Record<string, Health | undefined>>({})
  const [checkedAt, setCheckedAt] = useState<string | null>(null)
  const refresh = async () => {
    const results = await Promise.all(SERVICES.map(async (s) => [s, await probe(s)] as const))
    setHealth(Object.fromEntries(results))
    setCheckedAt(new Date().toISOString())
  }
  useEffect(() => { void refresh() }, [])
  const ready = SERVICES.filter((s) => health[s]?.status === 'ready').length

  return (
    <Page title='System' actions={<button type='button' class='btn' onClick={() => { void refresh() }}>Check again</button>}>
      <p role='status'>{checkedAt ? <>{ready} of {SERVICES.length} services ready · checked <Time iso={checkedAt} /></> : 'Checking…'}</p>
      <div class='status-grid'>
        {SERVICES.map((s) => {
          const h = health[s]
          return (
            <section key={s} class='status-card' aria-label={s}>
              <h3>
                <span>{s}</span>
                {!h ? <Badge>…</Badge> : h.status === 'ready' ? <Badge kind='good'>ready</Badge> : h.status === 'down' ? <Badge kind='bad'>down</Badge> : <Badge kind='warn'>not ready</Badge>}
              </h3>
              {h?.version && <p class='muted'>v{h.version} · up {uptime(h.uptimeS ?? 0)}</p>}
              {h && (
                <ul class='checks'>
                  {Object.entries(h.checks).map(([name, c]) => (
                    <li key={name}><span>{name}</span><span>{c.ok ? '✓' : '✗'}{c.detail && <span class='muted'> {c.detail}</span>}</span></li>
                  ))}
                </ul>
              )}
              {h && h.status !== 'down' && <DeadLetters service={s} />}
            </section>
          )
        })}
      </div>
    </Page>
  )
}
