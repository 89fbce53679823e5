// SPEC §3.3: the golden prompt of every preset (compared byte for byte with golden/<preset>.txt), the mood
// test vectors, the bands, the generation cap, the fast model and the autonomy thresholds.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { Sliders } from '../assistant.types.js'
import { autonomyThreshold, bandOf, compilePersonality, deriveMood, presetMatching, PRESETS } from './compile.js'

const s = (gandhi: number, flirty: number, turbo: number, auto: number): Sliders => ({ gandhi, flirty, turbo, auto })
const golden = (name: string) => readFileSync(join(import.meta.dirname, 'golden', `${name}.txt`), 'utf8')

describe('golden prompts', () => {
  it.each(PRESETS.map((p) => p.name))('%s compiles to its golden file exactly', (name) => {
    const preset = PRESETS.find((p) => p.name === name)!
    expect(`${compilePersonality(preset).systemPrompt}\n`).toBe(golden(name))
  })

  it('has a golden file for every preset and the five presets of the table', () => {
    expect(PRESETS.map((p) => [p.name, p.gandhi, p.flirty, p.turbo, p.auto])).toEqual([
      ['balanced', 5, 3, 5, 3], ['chief-of-staff', 8, 4, 6, 6], ['firefighter', 2, 2, 9, 4], ['coach', 7, 7, 3, 3], ['autopilot', 6, 4, 8, 9]
    ])
    for (const p of PRESETS) expect(golden(p.name).split('\n')).toHaveLength(5)
  })

  it('is deterministic and lists one fragment per slider in slider order', () => {
    const a = compilePersonality(s(9, 9, 1, 10))
    expect(compilePersonality(s(9, 9, 1, 10))).toEqual(a)
    expect(a.fragments.map((f) => [f.slider, f.band])).toEqual([['gandhi', 'high'], ['flirty', 'high'], ['turbo', 'low'], ['auto', 'high']])
    expect(a.systemPrompt.split('\n')).toEqual(a.fragments.map((f) => f.text))
    expect(a.fragments[1]!.text).toBe('Close: openly warm and encouraging, builds rapport, relaxed and playful; never romantic or sexual.')
    expect(a.fragmentsVersion).toBe(1)
  })

  it('changes exactly one line when one slider crosses a band', () => {
    const a = compilePersonality(s(5, 3, 7, 3)).systemPrompt.split('\n')
    const b = compilePersonality(s(5, 3, 8, 3)).systemPrompt.split('\n')
    expect(a.filter((line, i) => line !== b[i])).toEqual(['Concise: answer first, then only the context needed to act.'])
    expect(b[2]).toBe('Turbo: fewest possible words, no greeting or recap, bullets over prose.')
  })
})

describe('mood', () => {
  it.each([
    [s(5, 3, 5, 3), 'friendly'], [s(5, 9, 5, 3), 'blushing'], [s(2, 6, 9, 3), 'playful'], [s(2, 3, 9, 3), 'bossy'], [s(5, 3, 8, 3), 'focused']
  ] as const)('SPEC vector %o → %s', (sliders, mood) => {
    expect(deriveMood(sliders)).toBe(mood)
    expect(compilePersonality(sliders).mood).toBe(mood)
  })

  it('gives each preset the mood of the table', () => {
    expect(PRESETS.map((p) => deriveMood(p))).toEqual(['friendly', 'friendly', 'bossy', 'playful', 'focused'])
  })
})

describe('bands, cap, model and autonomy', () => {
  it('bands are 1–3, 4–7, 8–10', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map(bandOf)).toEqual(['low', 'low', 'low', 'middle', 'middle', 'middle', 'middle', 'high', 'high', 'high'])
  })

  it('turbo sets num_predict (2048/1024/384) and the fast model from 8', () => {
    expect([1, 3, 4, 7, 8, 10].map((t) => compilePersonality(s(5, 3, t, 3)).numPredict)).toEqual([2048, 2048, 1024, 1024, 384, 384])
    expect([7, 8, 10].map((t) => compilePersonality(s(5, 3, t, 3)).useFastModel)).toEqual([false, true, true])
  })

  it('auto ≤ 5 is never autonomous; 6–10 → 0.90…0.50', () => {
    expect([1, 5, 6, 7, 8, 9, 10].map(autonomyThreshold)).toEqual([null, null, 0.9, 0.8, 0.7, 0.6, 0.5])
    expect(compilePersonality(s(5, 3, 5, 9)).autonomyThreshold).toBe(0.6)
  })

  it('recognises preset values', () => {
    expect(presetMatching(s(2, 2, 9, 4))).toBe('firefighter')
    expect(presetMatching(s(2, 2, 9, 5))).toBeNull()
  })
})
