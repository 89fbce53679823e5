// The GPU mesh screen (SPEC §10): nodes with their health and load, add-node with Test, the model × node matrix,
// the load chart of the last hour and, for owner and admins, the routing decision log. Members see totals and
// which models are available. Refreshed by `mesh` live pushes and every 10 s while open.
import { useEffect } from 'preact/hooks'
import { useRoute } from '../../lib/router.js'
import type { Session } from '../../lib/session.js'
import { useApi } from '../../lib/use-api.js'
import { ensureChatSocket } from '../../lib/ws.js'
import { Badge, Empty, ErrorNote, Loading, Note } from '../../components/feedback.js'
import { Page } from '../../components/page.js'
import { AddNode } from './add-node.js'
import { Decisions } from './decisions.js'
import { LoadChart } from './load-chart.js'
import { NodesTable } from './nodes-table.js'
import type { Mesh, Sample } from './types.js'
import './mesh.css'

function ModelsMatrix ({ mesh }: { mesh: Mesh }) {
  const nodes = (mesh.nodes ?? []).map((n) => n.name)
  if (mesh.models.length === 0) return <Empty>No models on any node.</Empty>
  if (nodes.length === 0) {
    return <ul class='list'>{mesh.models.map((m) => <li key={m.name}>{m.name} {m.loaded ? <Badge kind='good'>loaded</Badge> : <Badge>available</Badge>}</li>)}</ul>
  }
  return (
    <div class='table-wrap'>
      <table class='table matrix'>
        <thead><tr><th scope='col'>Model</th>{nodes.map((n) => <th key={n} scope='col'>{n}</th>)}</tr></thead>
        <tbody>
          {mesh.models.map((m) => (
            <tr key={m.name}>
              <th scope='row'>{m.name}</th>
              {nodes.map((n) => (
                <td key={n}>
                  {m.loadedOn?.includes(n) ? <Badge kind='good'>loaded</Badge> : m.nodes?.includes(n) ? <Badge>available</Badge> : <span class='muted' aria-label='not on this node'>—</span>}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

export default function MeshScreen ({ session }: { session: Session }) {
  const admin = session.user.role !== 'member'
  const route = useRoute()
  const requestId = route.query.get('requestId')
  const mesh = useApi<Mesh>('/api/gpu-coordinator/mesh')
  const history = useApi<{ items: Sample[] }>(admin ? '/api/gpu-coordinator/mesh/history?minutes=60' : null)
  const reload = () => { void mesh.reload(); if (admin) void history.reload() }
  useEffect(() => {
    const off = ensureChatSocket()?.live('mesh', reload)
    const timer = setInterval(() => { if (document.visibilityState === 'visible') reload() }, 10_000)
    return () => { off?.(); clearInterval(timer) }
  }, [])
  useEffect(() => { if (requestId) document.getElementById('decisions')?.scrollIntoView() }, [requestId, mesh.data !== undefined])

  const data = mesh.data
  return (
    <Page title='GPU mesh' wide>
      <ErrorNote error={mesh.error} onRetry={reload} />
      {!data && mesh.loading && <Loading />}
      {data && (
        <>
          <dl class='stats-bar mesh-totals' aria-label='Totals'>
            <div><dt>Nodes</dt><dd>{data.totals.nodes}</dd></div>
            <div><dt>Healthy</dt><dd>{data.totals.healthy}</dd></div>
            <div><dt>GPUs</dt><dd>{data.totals.gpus}</dd></div>
            <div><dt>GPU memory</dt><dd>{(data.totals.memoryMb / 1024).toFixed(0)} GB</dd></div>
            {data.queue && <div><dt>Queued</dt><dd>{data.queue.depth}</dd></div>}
          </dl>
          {data.totals.nodes === 0 && (
            <Note kind='warn'>No Ollama node is connected: chat answers commands only.{admin ? ' Add a node below.' : ' An admin can add one.'}</Note>
          )}
          {admin && data.nodes && data.nodes.length > 0 && (
            <section aria-labelledby='nodes-h'>
              <h2 id='nodes-h'>Nodes</h2>
              <NodesTable nodes={data.nodes} onChanged={reload} />
            </section>
          )}
          {admin && <AddNode onAdded={reload} />}
          <section aria-labelledby='models-h'>
            <h2 id='models-h'>Models</h2>
            <ModelsMatrix mesh={data} />
          </section>
          {admin && (
            <section aria-labelledby='load-h'>
              <h2 id='load-h'>Load, last 60 minutes</h2>
              <ErrorNote error={history.error} />
              {history.data && <LoadChart samples={history.data.items} />}
            </section>
          )}
          {admin && (
            <section id='decisions' aria-labelledby='decisions-h'>
              <h2 id='decisions-h'>Routing decisions</h2>
              {requestId && <p class='muted'>Showing request {requestId}. <a href='/mesh'>Show all</a></p>}
              <Decisions requestId={requestId} />
            </section>
          )}
        </>
      )}
    </Page>
  )
}
