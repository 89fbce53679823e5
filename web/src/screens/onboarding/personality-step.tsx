// Step 2: Robbie's personality (SPEC §3.3): presets, four sliders and the live prompt preview from
// POST /api/chat/personality/preview. Without the chat service Robbie starts balanced, and the step says so.
import { useEffect, useState } from 'preact/hooks'
import { api, ApiError, errorMessage } from '../../lib/api.js'
import { isMood, mood as moodStore, MOOD_REASON, type Mood } from '../../lib/mood.js'
import { Avatar } from '../../components/avatar.js'
import { Loading, Note } from '../../components/feedback.js'
import type { StepProps } from './index.js'

type SliderName = 'gandhi' | 'flirty' | 'turbo' | 'auto'
type Sliders = Record<SliderName, number>
interface Preset extends Sliders { name: string, mood: string }
interface Preview { systemPrompt: string, mood: string, autonomyThreshold: number | null }

const SLIDERS: Array<{ key: SliderName, label: string, low: string, high: string }> = [
  { key: 'gandhi', label: 'Focus', low: 'urgent', high: 'strategic' },
  { key: 'flirty', label: 'Warmth', low: 'formal', high: 'close' },
  { key: 'turbo', label: 'Brevity', low: 'thorough', high: 'turbo' },
  { key: 'auto', label: 'Autonomy', low: 'asks first', high: 'acts alone' }
]
const band = (v: number): string => (v <= 3 ? 'low' : v <= 7 ? 'middle' : 'high')
const threshold = (t: number | null): string => t === null ? 'never acts without approval' : `acts alone at ≥ ${Math.round(t * 100)} % confidence`

export function PersonalityStep ({ onNext, onBack }: StepProps) {
  const [values, setValues] = useState<Sliders | null>(null)
  const [presets, setPresets] = useState<Preset[]>([])
  const [preset, setPreset] = useState<string | null>(null)
  const [preview, setPreview] = useState<Preview | null>(null)
  const [missing, setMissing] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)

  useEffect(() => {
    void (async () => {
      try {
        const [current, list] = await Promise.all([
          api<Sliders & { preset: string | null }>('GET', '/api/chat/personality'),
          api<{ items: Preset[] }>('GET', '/api/chat/personality/presets')
        ])
        setValues({ gandhi: current.gandhi, flirty: current.flirty, turbo: current.turbo, auto: current.auto })
        setPreset(current.preset)
        setPresets(list.items)
      } catch {
        setMissing(true) // the chat service (or its personality routes) is not there yet
      }
    })()
  }, [])

  // Live preview, debounced so dragging a slider sends one request per pause.
  useEffect(() => {
    if (!values) return
    const timer = setTimeout(() => {
      api<{ a: Preview }>('POST', '/api/chat/personality/preview', { sliders: values })
        .then((r) => { setPreview(r.a) }, () => { setPreview(null) })
    }, 250)
    return () => { clearTimeout(timer) }
  }, [values])

  const save = async () => {
    if (!values) { onNext(); return }
    setBusy(true)
    setError(null)
    try {
      const saved = await api<{ mood: string }>('PUT', '/api/chat/personality', preset ? { preset } : values)
      if (isMood(saved.mood)) moodStore.set({ mood: saved.mood, reason: MOOD_REASON[saved.mood] })
      onNext()
    } catch (err) {
      setError(err instanceof ApiError && err.status === 404 ? 'Saving is not available yet; Robbie keeps the balanced personality.' : errorMessage(err))
    } finally {
      setBusy(false)
    }
  }

  const actions = (
    <div class='wizard-actions'>
      <button type='button' class='btn' onClick={onBack}>Back</button>
      <button type='button' class='btn btn-primary' disabled={busy} onClick={() => { void save() }}>Continue</button>
    </div>
  )
  if (missing) {
    return (
      <>
        <Note>Personality settings appear here once the chat service is running. Robbie starts <strong>balanced</strong>: friendly, concise,
          and it asks before acting. You can change it any time under Personality.
        </Note>
        {actions}
      </>
    )
  }
  if (!values) return <Loading />
  const face: Mood = isMood(preview?.mood) ? preview.mood : 'friendly'

  return (
    <>
      <p>How should Robbie work with you? Pick a preset or move the sliders; the preview shows the instructions Robbie will follow.</p>
      <div class='presets' role='group' aria-label='Presets'>
        {presets.map((p) => (
          <button
            key={p.name} type='button' class='btn btn-small' aria-pressed={preset === p.name}
            onClick={() => { setPreset(p.name); setValues({ gandhi: p.gandhi, flirty: p.flirty, turbo: p.turbo, auto: p.auto }) }}
          >
            {p.name}
          </button>
        ))}
      </div>
      {SLIDERS.map((s) => (
        <div class='slider' key={s.key}>
          <label for={`slider-${s.key}`}>{s.label}</label>
          <input
            id={`slider-${s.key}`} type='range' min={1} max={10} step={1} value={values[s.key]}
            aria-valuetext={`${values[s.key]} (${band(values[s.key])}: ${s.low} ↔ ${s.high})`}
            onInput={(e) => { setPreset(null); setValues({ ...values, [s.key]: Number(e.currentTarget.value) }) }}
          />
          <output for={`slider-${s.key}`}>{values[s.key]}</output>
        </div>
      ))}
      <div class='row'>
        <Avatar mood={face} reason={MOOD_REASON[face]} />
        <span>Mood: {face}{preview && <> · {threshold(preview.autonomyThreshold)}</>}</span>
      </div>
      <h2>Preview</h2>
      <div class='preview' aria-live='polite' aria-label='Prompt preview'>{preview?.systemPrompt ?? 'The preview appears when the chat service answers.'}</div>
      {error && <p class='field-error' role='alert'>{error}</p>}
      {actions}
    </>
  )
}
