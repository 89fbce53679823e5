// The node's model catalog and (fake) memory: what /api/tags, /api/ps and /api/show report, and the
// load / keep_alive / eviction rules generation follows (Ollama's scheduler, simplified).
import { createHash } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { abortReason } from './http.js'
import type { FakeModel } from './types.js'

const MB = 1024 * 1024
const DEFAULT_KEEP_ALIVE_MS = 5 * 60_000
// Ollama shows keep_alive < 0 ("forever") as an expiry centuries away; so do we.
const FOREVER = Date.parse('2318-01-01T00:00:00Z')

interface ModelState {
  name: string
  sizeMb: number
  digest: string
  modifiedAt: string
  loaded: boolean
  expiresAt: number
  lastUsed: number
  active: number
  loading?: Promise<void>
}

/** `llama3.2` and `llama3.2:latest` are the same model in Ollama. */
export function normalizeModelName (name: string): string {
  return name.includes(':') ? name : `${name}:latest`
}

/** keep_alive as Ollama reads it: seconds as a number, a Go duration ("5m", "1h30m") or digits; < 0 is forever. */
export function parseKeepAlive (value: unknown): number | undefined {
  if (typeof value === 'number') return value < 0 ? Infinity : value * 1000
  if (typeof value !== 'string' || value === '') return undefined
  if (/^-?\d+(\.\d+)?$/.test(value)) return parseKeepAlive(Number(value))
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }
  const parts = [...value.matchAll(/(-?\d+(?:\.\d+)?)(ms|s|m|h)/g)]
  if (parts.length === 0) return undefined
  const ms = parts.reduce((sum, p) => sum + Number(p[1]) * (units[p[2] ?? 's'] ?? 1000), 0)
  return ms < 0 ? Infinity : ms
}

function details (name: string, sizeMb: number) {
  const [base = name, tag = 'latest'] = name.split(':')
  const family = (base.match(/^[a-z]+\d*/i)?.[0] ?? base).replace(/\d+$/, '') || base
  const params = tag.match(/^(\d+(?:\.\d+)?)b/i)?.[1] ?? (sizeMb / 600).toFixed(1)
  return { parent_model: '', format: 'gguf', family, families: [family], parameter_size: `${params}B`, quantization_level: 'Q4_K_M' }
}

export function createModelStore (getOptions: () => { models: FakeModel[], loadDelayMs: number, memoryMb: number }) {
  let models = new Map<string, ModelState>()

  function reset () {
    const now = Date.now()
    models = new Map(getOptions().models.map((m) => {
      const name = normalizeModelName(m.name)
      const digest = createHash('sha256').update(name).digest('hex')
      return [name, { name, sizeMb: m.sizeMb, digest, modifiedAt: new Date(now).toISOString(), loaded: m.loaded === true, expiresAt: m.loaded === true ? FOREVER : 0, lastUsed: now, active: 0 }]
    }))
  }

  function expire (now = Date.now()) {
    for (const m of models.values()) if (m.loaded && m.active === 0 && m.expiresAt <= now) m.loaded = false
  }

  function evictFor (model: ModelState) {
    const limit = getOptions().memoryMb
    if (!Number.isFinite(limit)) return
    const idle = [...models.values()].filter((m) => m.loaded && m.active === 0 && m !== model).sort((a, b) => a.lastUsed - b.lastUsed)
    let used = [...models.values()].filter((m) => m.loaded).reduce((s, m) => s + m.sizeMb, 0)
    for (const m of idle) {
      if (used + model.sizeMb <= limit) break
      m.loaded = false
      used -= m.sizeMb
    }
  }

  reset()
  return {
    reset,
    get: (name: string) => { expire(); return models.get(normalizeModelName(name)) },
    add (name: string, sizeMb: number) {
      const key = normalizeModelName(name)
      if (models.has(key)) return
      models.set(key, { name: key, sizeMb, digest: createHash('sha256').update(key).digest('hex'), modifiedAt: new Date().toISOString(), loaded: false, expiresAt: 0, lastUsed: Date.now(), active: 0 })
    },
    loadedNames: () => { expire(); return [...models.values()].filter((m) => m.loaded).map((m) => m.name) },

    /** Marks the model in use, loading it first if needed; resolves to the load time spent (ms). */
    async acquire (model: ModelState, signal: AbortSignal): Promise<number> {
      expire()
      model.active++
      model.lastUsed = Date.now()
      if (model.loaded && !model.loading) return 0
      // fractional and rounded up: timers count whole milliseconds, so a 30 ms load can measure 29.x ms
      const started = performance.now()
      model.loading ??= (async () => {
        evictFor(model)
        const delay = getOptions().loadDelayMs
        if (delay > 0) await sleep(delay)
        model.loaded = true
        model.expiresAt = Date.now() + DEFAULT_KEEP_ALIVE_MS
      })().finally(() => { model.loading = undefined })
      try {
        await Promise.race([model.loading, new Promise((_resolve, reject) => {
          signal.addEventListener('abort', () => reject(abortReason(signal)), { once: true })
        })])
      } catch (err) {
        model.active--
        throw err
      }
      return Math.ceil(performance.now() - started)
    },

    /** The request is over: the model stays for keep_alive (default 5 min; 0 unloads now). */
    release (model: ModelState, keepAliveMs: number | undefined) {
      model.active = Math.max(0, model.active - 1)
      model.lastUsed = Date.now()
      const ms = keepAliveMs ?? DEFAULT_KEEP_ALIVE_MS
      model.expiresAt = ms === Infinity ? FOREVER : Date.now() + ms
      if (model.active === 0 && ms === 0) model.loaded = false
    },

    tags: () => ({
      models: [...models.values()].map((m) => ({ name: m.name, model: m.name, modified_at: m.modifiedAt, size: m.sizeMb * MB, digest: m.digest, details: details(m.name, m.sizeMb) }))
    }),
    ps: () => {
      expire()
      return {
        models: [...models.values()].filter((m) => m.loaded).map((m) => ({
          name: m.name, model: m.name, size: m.sizeMb * MB, digest: m.digest, details: details(m.name, m.sizeMb), expires_at: new Date(m.expiresAt).toISOString(), size_vram: m.sizeMb * MB, context_length: 4096
        }))
      }
    },
    show: (m: ModelState) => {
      const d = details(m.name, m.sizeMb)
      return {
        license: 'fake license',
        modelfile: `# Modelfile generated by the fake Ollama node\nFROM ${m.name}\n`,
        parameters: 'stop "<|eot_id|>"',
        template: '{{ .Prompt }}',
        details: d,
        model_info: { 'general.architecture': d.family, 'general.parameter_count': Math.round(m.sizeMb * 1.6e6), [`${d.family}.context_length`]: 131072 },
        capabilities: ['completion', 'tools'],
        modified_at: m.modifiedAt
      }
    }
  }
}

export type ModelStore = ReturnType<typeof createModelStore>
export type { ModelState }
