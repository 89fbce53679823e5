// The fake node as a process, for local demos and by-hand runs: scripts/fake-ollama.mjs starts this file.
import { parseArgs } from 'node:util'
import { startFakeOllama } from './index.js'
import type { FakeModel } from './types.js'

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '11434' },
    host: { type: 'string', default: '127.0.0.1' },
    models: { type: 'string', default: 'llama3.2:3b=2000' },
    loaded: { type: 'string', default: '' },
    tps: { type: 'string', default: '40' },
    'first-token-ms': { type: 'string', default: '150' },
    'load-ms': { type: 'string', default: '1500' },
    parallel: { type: 'string', default: '4' },
    'memory-mb': { type: 'string' },
    version: { type: 'string', default: '0.12.6' },
    help: { type: 'boolean', default: false }
  }
})

if (values.help) {
  console.log(`usage: node scripts/fake-ollama.mjs [--port 11434] [--host 127.0.0.1] [--models name=sizeMb,…] [--loaded name,…]
  [--tps 40] [--first-token-ms 150] [--load-ms 1500] [--parallel 4] [--memory-mb n] [--version 0.12.6]`)
  process.exit(0)
}

function num (name: string, raw: string | undefined): number {
  const n = Number(raw)
  if (raw === undefined || !Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a number ≥ 0, got ${String(raw)}`)
  return n
}

const loaded = new Set(values.loaded.split(',').filter(Boolean))
// A model name holds colons (llama3.2:3b), so the size follows the last '='.
const models: FakeModel[] = values.models.split(',').filter(Boolean).map((entry) => {
  const at = entry.lastIndexOf('=')
  const name = at > 0 ? entry.slice(0, at) : entry
  return { name, sizeMb: at > 0 ? num('models', entry.slice(at + 1)) : 2000, loaded: loaded.has(name) }
})

const fake = await startFakeOllama({
  port: num('port', values.port),
  host: values.host,
  models,
  tokensPerSecond: num('tps', values.tps),
  firstTokenDelayMs: num('first-token-ms', values['first-token-ms']),
  loadDelayMs: num('load-ms', values['load-ms']),
  parallel: Math.max(1, num('parallel', values.parallel)),
  memoryMb: values['memory-mb'] === undefined ? Infinity : num('memory-mb', values['memory-mb']),
  version: values.version,
  record: false
})
console.log(`fake ollama listening on ${fake.url} (models: ${models.map((m) => m.name).join(', ')}; ${values.tps} tok/s)`)

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => { void fake.close().then(() => process.exit(0)) })
}
