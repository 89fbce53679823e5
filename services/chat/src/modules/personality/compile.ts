// The personality as data (SPEC §3.3, fragment set version 1): four sliders, three bands each, one sentence
// per slider, the presets, the derived mood, the generation cap and the autonomy threshold. Pure and
// deterministic: the same sliders always compile to the same text, which the golden files pin down.
//
// The compiled prompt shapes the user-visible voice only. Routing, extraction, tool and classification
// prompts stay neutral, and what may run without approval is decided by SPEC §3.7's rule, never by the
// `auto` sentence the model reads.
import type { Band, CompiledPersonality, Mood, Sliders } from '../assistant.types.js'

const FRAGMENTS_VERSION = 1 as const
/** The order of the sliders in the prompt, in the API and in every listing. */
export const SLIDERS = ['gandhi', 'flirty', 'turbo', 'auto'] as const satisfies readonly (keyof Sliders)[]

const FRAGMENTS: Record<keyof Sliders, Record<Band, string>> = {
  gandhi: {
    low: 'Urgent mode: handle what is time-critical first; give the fastest workable answer; speed beats polish.',
    middle: 'Balanced: weigh urgency against importance; say when something important is being crowded out; look two or three steps ahead.',
    high: 'Strategic: prefer important over urgent; think in leverage and long-term effect; call out low-value requests and suggest delegating or dropping them.'
  },
  flirty: {
    low: 'Formal: strictly professional wording, no small talk, no emoji.',
    middle: 'Warm: friendly and personable within professional limits; emoji rarely.',
    high: 'Close: openly warm and encouraging, builds rapport, relaxed and playful; never romantic or sexual.'
  },
  turbo: {
    low: 'Thorough: complete answers with context, reasoning and caveats.',
    middle: 'Concise: answer first, then only the context needed to act.',
    high: 'Turbo: fewest possible words, no greeting or recap, bullets over prose.'
  },
  auto: {
    low: 'Consultative: never act without asking; offer options.',
    middle: 'Suggestive: propose concrete next steps and ask yes/no.',
    high: 'Autonomous: take initiative within your permissions, report what you did and how to undo it.'
  }
}

interface Preset extends Sliders { name: string }
/** SPEC §3.3's presets, in the table's order; `balanced` is every new user's default. */
export const PRESETS: readonly Preset[] = Object.freeze([
  { name: 'balanced', gandhi: 5, flirty: 3, turbo: 5, auto: 3 },
  { name: 'chief-of-staff', gandhi: 8, flirty: 4, turbo: 6, auto: 6 },
  { name: 'firefighter', gandhi: 2, flirty: 2, turbo: 9, auto: 4 },
  { name: 'coach', gandhi: 7, flirty: 7, turbo: 3, auto: 3 },
  { name: 'autopilot', gandhi: 6, flirty: 4, turbo: 8, auto: 9 }
])
export const DEFAULT_PRESET = PRESETS[0]!

export const presetNamed = (name: string): Preset | undefined => PRESETS.find((p) => p.name === name)
export const slidersOf = (s: Sliders): Sliders => ({ gandhi: s.gandhi, flirty: s.flirty, turbo: s.turbo, auto: s.auto })
/** The preset these exact values are, if any (a user who moves sliders back onto a preset is on it again). */
export const presetMatching = (s: Sliders): string | null =>
  PRESETS.find((p) => SLIDERS.every((k) => p[k] === s[k]))?.name ?? null

export const bandOf = (value: number): Band => (value <= 3 ? 'low' : value <= 7 ? 'middle' : 'high')

/** The avatar's resting mood; first match wins (SPEC §3.3). */
export function deriveMood (s: Sliders): Mood {
  if (s.flirty >= 9) return 'blushing'
  if (s.flirty >= 6) return 'playful'
  if (s.gandhi <= 3) return 'bossy'
  if (s.turbo >= 7) return 'focused'
  return 'friendly'
}

const NUM_PREDICT: Record<Band, number> = { low: 2048, middle: 1024, high: 384 }
const THRESHOLDS: Record<number, number> = { 6: 0.9, 7: 0.8, 8: 0.7, 9: 0.6, 10: 0.5 }

/** Minimum confidence for an action to run unasked; null = never autonomous (auto ≤ 5). */
export const autonomyThreshold = (auto: number): number | null => THRESHOLDS[auto] ?? null

export function compilePersonality (sliders: Sliders): CompiledPersonality {
  const fragments = SLIDERS.map((slider) => {
    const band = bandOf(sliders[slider])
    return { slider, band, text: FRAGMENTS[slider][band] }
  })
  return {
    systemPrompt: fragments.map((f) => f.text).join('\n'),
    fragments,
    mood: deriveMood(sliders),
    numPredict: NUM_PREDICT[bandOf(sliders.turbo)],
    autonomyThreshold: autonomyThreshold(sliders.auto),
    fragmentsVersion: FRAGMENTS_VERSION,
    useFastModel: sliders.turbo >= 8
  }
}
