// Personality as the screens show it (SPEC §3.3): slider names and ends, band names, mood, threshold in words.
import type { Mood } from '../../lib/mood.js'

export type SliderName = 'gandhi' | 'flirty' | 'turbo' | 'auto'
export type Sliders = Record<SliderName, number>
export type Band = 'low' | 'middle' | 'high'

export interface Personality extends Sliders { preset: string | null, mood: Mood, version: number, updatedAt: string }
export interface Preset extends Sliders { name: string, mood: Mood }
export interface Preview {
  systemPrompt: string
  fragments: Array<{ slider: SliderName, band: Band, text: string }>
  mood: Mood
  numPredict: number
  autonomyThreshold: number | null
  fragmentsVersion: 1
}
export interface PreviewReply {
  a: Preview
  b?: Preview
  diff?: Array<{ op: ' ' | '-' | '+', line: string }>
  sample?: { a: string, b: string | null } | null
}

export const SLIDERS: Array<{ name: SliderName, label: string, low: string, high: string, bands: Record<Band, string> }> = [
  { name: 'gandhi', label: 'Focus', low: 'urgent', high: 'strategic', bands: { low: 'Urgent mode', middle: 'Balanced', high: 'Strategic' } },
  { name: 'flirty', label: 'Warmth', low: 'formal', high: 'close', bands: { low: 'Formal', middle: 'Warm', high: 'Close' } },
  { name: 'turbo', label: 'Brevity', low: 'thorough', high: 'turbo', bands: { low: 'Thorough', middle: 'Concise', high: 'Turbo' } },
  { name: 'auto', label: 'Autonomy', low: 'asks first', high: 'acts alone', bands: { low: 'Consultative', middle: 'Suggestive', high: 'Autonomous' } }
]

export const bandOf = (value: number): Band => (value <= 3 ? 'low' : value <= 7 ? 'middle' : 'high')

/** The autonomy threshold of SPEC §3.3 in words. */
export function thresholdWords (auto: number): string {
  if (auto <= 5) return 'Never acts alone: every action waits for your approval.'
  const threshold = { 6: 90, 7: 80, 8: 70, 9: 60, 10: 50 }[auto] ?? 50
  return `Acts alone at ≥ ${threshold} % confidence; below that it asks you first.`
}

export const sameSliders = (a: Sliders, b: Sliders): boolean =>
  a.gandhi === b.gandhi && a.flirty === b.flirty && a.turbo === b.turbo && a.auto === b.auto

export const slidersOf = (p: Sliders): Sliders => ({ gandhi: p.gandhi, flirty: p.flirty, turbo: p.turbo, auto: p.auto })

export const presetLabel = (name: string): string => name[0]!.toUpperCase() + name.slice(1).replace(/-/g, ' ')
