// The personality panel (SPEC §10): four sliders with band names, presets, the mood they give, the compiled prompt
// previewed live with each slider's sentence highlighted, a compare view with the line diff, and the autonomy
// threshold in words. Moving a slider only previews; Save (or a preset) changes the stored personality.
import { useEffect, useId, useState } from 'preact/hooks'
import { api } from '../../lib/api.js'
import { mood as moodStore, MOOD_REASON } from '../../lib/mood.js'
import { toast } from '../../lib/toasts.js'
import { ensureChatSocket } from '../../lib/ws.js'
import { Avatar } from '../../components/avatar.js'
import { ErrorNote, Loading } from '../../components/feedback.js'
import {
  bandOf, presetLabel, sameSliders, SLIDERS, slidersOf, thresholdWords,
  type Personality, type Preset, type Preview, type PreviewReply, type Sliders
} from './model.js'
import './personality.css'

function PromptView ({ preview, label }: { preview: Preview, label: string }) {
  // Each fragment sentence is marked where it appears in the prompt; the rest is plain text.
  const pieces: Array<{ text: string, slider?: string, band?: string }> = []
  let rest = preview.systemPrompt
  for (const f of preview.fragments) {
    const at = rest.indexOf(f.text)
    if (at < 0) continue
    if (at > 0) pieces.push({ text: rest.slice(0, at) })
    pieces.push({ text: f.text, slider: f.slider, band: f.band })
    rest = rest.slice(at + f.text.length)
  }
  if (rest) pieces.push({ text: rest })
  return (
    <figure class='prompt'>
      <figcaption class='muted'>{label}</figcaption>
      <pre class='preview' tabIndex={0}>
        {pieces.map((p, i) => (p.slider
          ? <mark key={i} class={`frag frag-${p.slider}`} title={`${p.slider}: ${p.band}`}>{p.text}</mark>
          : p.text))}
      </pre>
    </figure>
  )
}

/** The server diffs this setting (a) against the compared one (b); shown the other way round, as what moving from
 * the compared setting to this one removes and adds. */
function Diff ({ diff }: { diff: NonNullable<PreviewReply['diff']> }) {
  const word = { ' ': 'same', '-': 'added', '+': 'removed' } as const
  const sign = { ' ': ' ', '-': '+', '+': '-' } as const
  // within each run of changes, the compared setting's lines (removed) come before this one's (added)
  const ordered: typeof diff = []
  let run: typeof diff = []
  const flush = () => { ordered.push(...run.filter((d) => d.op === '+'), ...run.filter((d) => d.op === '-')); run = [] }
  for (const d of diff) {
    if (d.op === ' ') { flush(); ordered.push(d) } else run.push(d)
  }
  flush()
  return (
    <ol class='diff' aria-label='Line differences'>
      {ordered.map((d, i) => (
        <li key={i} class={`diff-${word[d.op]}`}><span class='sr-only'>{word[d.op]}: </span><span aria-hidden='true'>{sign[d.op]} </span>{d.line}</li>
      ))}
    </ol>
  )
}

export function PersonalityPanel ({ compact = false }: { compact?: boolean }) {
  const [saved, setSaved] = useState<Personality | null>(null)
  const [presets, setPresets] = useState<Preset[]>([])
  const [draft, setDraft] = useState<Sliders | null>(null)
  const [compare, setCompare] = useState<string>('')
  const [preview, setPreview] = useState<PreviewReply | null>(null)
  const [sample, setSample] = useState<PreviewReply['sample']>(undefined)
  const [error, setError] = useState<unknown>(null)
  const [busy, setBusy] = useState(false)
  const idBase = useId()
  const socket = ensureChatSocket()
  const modelAvailable = socket?.welcome.get()?.modelAvailable === true

  useEffect(() => {
    Promise.all([api<Personality>('GET', '/api/chat/personality'), api<{ items: Preset[] }>('GET', '/api/chat/personality/presets')])
      .then(([p, list]) => { setSaved(p); setDraft(slidersOf(p)); setPresets(list.items) }, setError)
  }, [])
  useEffect(() => socket?.on('personality.changed', (f) => {
    const p = f.personality as Personality | undefined
    if (p) { setSaved(p); setDraft(slidersOf(p)) }
  }), [socket])

  const compareWith = compare === 'saved' ? (saved ? slidersOf(saved) : undefined) : presets.find((p) => p.name === compare)
  useEffect(() => {
    if (!draft) return
    let live = true
    const timer = setTimeout(() => {
      api<PreviewReply>('POST', '/api/chat/personality/preview', { sliders: draft, ...(compareWith ? { compareWith: slidersOf(compareWith) } : {}) })
        .then((r) => { if (live) { setPreview(r); setError(null) } }, (err: unknown) => { if (live) setError(err) })
    }, 120)
    return () => { live = false; clearTimeout(timer) }
  }, [draft?.gandhi, draft?.flirty, draft?.turbo, draft?.auto, compare, saved?.version])

  const apply = async (body: Partial<Sliders> | { preset: string }) => {
    setBusy(true)
    try {
      const p = await api<Personality>('PUT', '/api/chat/personality', body)
      setSaved(p)
      setDraft(slidersOf(p))
      moodStore.set({ mood: p.mood, reason: MOOD_REASON[p.mood] })
      toast('Personality saved')
    } catch (err) {
      setError(err)
    } finally {
      setBusy(false)
    }
  }
  const askSample = async () => {
    if (!draft) return
    setSample(undefined)
    try {
      const r = await api<PreviewReply>('POST', '/api/chat/personality/preview', { sliders: draft, ...(compareWith ? { compareWith: slidersOf(compareWith) } : {}), sample: true })
      setSample(r.sample ?? null)
    } catch (err) { setError(err) }
  }

  if (!draft || !saved) return error ? <ErrorNote error={error} /> : <Loading />
  const dirty = !sameSliders(draft, saved)
  const a = preview?.a
  return (
    <div class={compact ? 'personality personality-compact' : 'personality'}>
      <div class='personality-mood'>
        <Avatar mood={a?.mood ?? saved.mood} reason={MOOD_REASON[a?.mood ?? saved.mood]} size={56} />
        <div>
          <p class='mood-name'>Mood: <strong>{a?.mood ?? saved.mood}</strong></p>
          <p class='muted' id={`${idBase}-threshold`}>{thresholdWords(draft.auto)}</p>
        </div>
      </div>
      <fieldset>
        <legend>Presets</legend>
        <div class='presets'>
          {presets.map((p) => (
            <button
              key={p.name} type='button' class='btn btn-small' aria-pressed={sameSliders(p, draft)} disabled={busy}
              onClick={() => { void apply({ preset: p.name }) }}
            >{presetLabel(p.name)}
            </button>
          ))}
        </div>
      </fieldset>
      <fieldset>
        <legend>Sliders</legend>
        {SLIDERS.map((s) => {
          const id = `${idBase}-${s.name}`
          const value = draft[s.name]
          const band = s.bands[bandOf(value)]
          return (
            <div key={s.name} class='slider'>
              <label for={id}>{s.label}</label>
              <input
                id={id} type='range' min={1} max={10} step={1} value={value}
                aria-valuetext={`${value}, ${band}`} aria-describedby={s.name === 'auto' ? `${id}-band ${idBase}-threshold` : `${id}-band`}
                onInput={(e) => { setDraft({ ...draft, [s.name]: Number(e.currentTarget.value) }) }}
              />
              <output for={id} class='slider-value'>{value}</output>
              <span id={`${id}-band`} class='slider-band muted'>{band} <span class='slider-ends'>({s.low} 1 ↔ 10 {s.high})</span></span>
            </div>
          )
        })}
        <div class='row'>
          <button type='button' class='btn btn-primary' disabled={!dirty || busy} onClick={() => { void apply(draft) }}>Save</button>
          <button type='button' class='btn' disabled={!dirty || busy} onClick={() => { setDraft(slidersOf(saved)) }}>Reset</button>
          {dirty && <span class='muted'>Not saved yet: the preview shows the new setting.</span>}
        </div>
      </fieldset>
      <ErrorNote error={error} />
      <section class='personality-preview' aria-label='Prompt preview'>
        <div class='row'>
          <h3>Compiled prompt</h3>
          <div class='field compare-field'>
            <label for={`${idBase}-compare`}>Compare with</label>
            <select id={`${idBase}-compare`} value={compare} onChange={(e) => { setCompare(e.currentTarget.value) }}>
              <option value=''>Nothing</option>
              <option value='saved'>Saved setting</option>
              {presets.map((p) => <option key={p.name} value={p.name}>{presetLabel(p.name)}</option>)}
            </select>
          </div>
          {modelAvailable && <button type='button' class='btn btn-small' onClick={() => { void askSample() }}>Sample</button>}
        </div>
        {!preview && <Loading label='Compiling…' />}
        {preview && (
          <div class={preview.b ? 'compare' : undefined} aria-live='polite'>
            <PromptView preview={preview.a} label={`This setting · up to ${preview.a.numPredict} tokens`} />
            {preview.b && <PromptView preview={preview.b} label={`Compared setting · up to ${preview.b.numPredict} tokens`} />}
          </div>
        )}
        {preview?.diff && <Diff diff={preview.diff} />}
        {sample === null && <p class='muted'>No model is connected, so there is no sample answer.</p>}
        {sample && (
          <div class='compare'>
            <figure class='prompt'><figcaption class='muted'>Sample answer, this setting</figcaption><p>{sample.a}</p></figure>
            {sample.b && <figure class='prompt'><figcaption class='muted'>Sample answer, compared setting</figcaption><p>{sample.b}</p></figure>}
          </div>
        )}
      </section>
    </div>
  )
}
