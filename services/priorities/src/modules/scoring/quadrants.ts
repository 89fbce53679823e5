// Quadrants, their weights and the strategic focus (SPEC §4.2, §4.4), and the overrides a drag sets.
import type { Quadrant, QuadrantLabel } from './types.js'

export const LABELS: Record<Quadrant, QuadrantLabel> = { Q1: 'Do now', Q2: 'Schedule', Q3: 'Delegate', Q4: 'Eliminate' }
export const DEFAULT_WEIGHTS: Readonly<Record<Quadrant, number>> = Object.freeze({ Q1: 1.0, Q2: 0.7, Q3: 0.4, Q4: 0.1 })
const HIGH_FOCUS = Object.freeze({ ...DEFAULT_WEIGHTS, Q2: 0.9 })
const LOW_FOCUS = Object.freeze({ ...DEFAULT_WEIGHTS, Q3: 0.6 })

export const isImportant = (q: Quadrant) => q === 'Q1' || q === 'Q2'
export const isUrgent = (q: Quadrant) => q === 'Q1' || q === 'Q3'

export function quadrantOf (importance: number, urgency: number): Quadrant {
  const important = importance >= 50
  const urgent = urgency >= 50
  return important ? (urgent ? 'Q1' : 'Q2') : (urgent ? 'Q3' : 'Q4')
}

/** The viewer's weights by gandhi band: high 8–10 → w(Q2) 0.9; low 1–3 → w(Q3) 0.6; else (and no row: 5) the defaults. */
export function weightsFor (gandhi: number = 5): Readonly<Record<Quadrant, number>> {
  if (gandhi >= 8) return HIGH_FOCUS
  if (gandhi <= 3) return LOW_FOCUS
  return DEFAULT_WEIGHTS
}

/**
 * A drag to `to` changes only the dimensions that must change (SPEC §4.2): into an important quadrant
 * importance becomes max(I, 50), out of one min(I, 49); the same for urgency. Returns only what changes.
 */
export function moveOverrides (current: { importance: number, urgency: number }, to: Quadrant): { importanceOverride?: number, urgencyOverride?: number } {
  const from = quadrantOf(current.importance, current.urgency)
  const result: { importanceOverride?: number, urgencyOverride?: number } = {}
  if (isImportant(to) !== isImportant(from)) result.importanceOverride = isImportant(to) ? Math.max(current.importance, 50) : Math.min(current.importance, 49)
  if (isUrgent(to) !== isUrgent(from)) result.urgencyOverride = isUrgent(to) ? Math.max(current.urgency, 50) : Math.min(current.urgency, 49)
  return result
}
