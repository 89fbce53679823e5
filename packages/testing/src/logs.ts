// Captures a service's JSON log lines (the log destination is a createApp dependency).
import { Writable } from 'node:stream'

export function captureLogs () {
  const lines: string[] = []
  const stream = new Writable({
    write (chunk: Buffer, _enc, done) { lines.push(...chunk.toString('utf8').split('\n').filter(Boolean)); done() }
  })
  return {
    stream,
    lines,
    text: () => lines.join('\n'),
    records: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>)
  }
}
