// The load chart (SPEC §10 GPU mesh): requests in flight per node and the queue depth over the last 60 minutes,
// as inline SVG (no chart library). A table with the latest values says the same for screen readers.
import type { Sample } from './types.js'

const W = 640
const H = 180
const PAD = { left: 30, right: 8, top: 8, bottom: 20 }
const COLOURS = ['#6aa8ff', '#3fb950', '#d29922', '#c678dd', '#56b6c2', '#e5c07b', '#ff7b72', '#a5d6ff']

export function LoadChart ({ samples }: { samples: Sample[] }) {
  if (samples.length === 0) return <p class='muted'>No samples yet: the coordinator records one every 10 seconds.</p>
  const nodes = [...new Set(samples.flatMap((s) => Object.keys(s.inflight)))].sort()
  const series = [...nodes.map((n) => ({ name: n, values: samples.map((s) => s.inflight[n] ?? 0) })), { name: 'queue', values: samples.map((s) => s.queueDepth) }]
  const max = Math.max(1, ...series.flatMap((s) => s.values))
  const t0 = new Date(samples[0]!.at).getTime()
  const t1 = Math.max(t0 + 1, new Date(samples[samples.length - 1]!.at).getTime())
  const x = (at: string) => PAD.left + ((new Date(at).getTime() - t0) / (t1 - t0)) * (W - PAD.left - PAD.right)
  const y = (v: number) => H - PAD.bottom - (v / max) * (H - PAD.top - PAD.bottom)
  const minutes = Math.round((t1 - t0) / 60_000)
  const last = samples[samples.length - 1]!
  return (
    <figure class='load-chart'>
      <svg viewBox={`0 0 ${W} ${H}`} role='img' aria-labelledby='load-chart-title'>
        <title id='load-chart-title'>Requests in flight per node and queue depth, last {minutes} minutes</title>
        <line x1={PAD.left} y1={y(0)} x2={W - PAD.right} y2={y(0)} class='axis' />
        <line x1={PAD.left} y1={y(max)} x2={W - PAD.right} y2={y(max)} class='grid' />
        <text x={PAD.left - 4} y={y(max) + 4} text-anchor='end' class='tick'>{max}</text>
        <text x={PAD.left - 4} y={y(0) + 4} text-anchor='end' class='tick'>0</text>
        <text x={PAD.left} y={H - 4} class='tick'>−{minutes} min</text>
        <text x={W - PAD.right} y={H - 4} text-anchor='end' class='tick'>now</text>
        {series.map((s, i) => (
          <polyline
            key={s.name} fill='none' stroke={s.name === 'queue' ? '#f0524f' : COLOURS[i % COLOURS.length]} stroke-width='2'
            stroke-dasharray={s.name === 'queue' ? '5 3' : undefined}
            points={s.values.map((v, j) => `${x(samples[j]!.at).toFixed(1)},${y(v).toFixed(1)}`).join(' ')}
          />
        ))}
      </svg>
      <figcaption>
        <ul class='legend'>
          {series.map((s, i) => (
            <li key={s.name}>
              <svg width='18' height='8' aria-hidden='true'><line x1='0' y1='4' x2='18' y2='4' stroke={s.name === 'queue' ? '#f0524f' : COLOURS[i % COLOURS.length]} stroke-width='3' stroke-dasharray={s.name === 'queue' ? '5 3' : undefined} /></svg>
              {s.name === 'queue' ? 'Queue depth' : s.name}: {s.name === 'queue' ? last.queueDepth : last.inflight[s.name] ?? 0} now
            </li>
          ))}
        </ul>
      </figcaption>
    </figure>
  )
}
