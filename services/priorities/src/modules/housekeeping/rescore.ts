// The rescore's computation (SPEC §4.6), kept pure so the benchmark times it alone: every open item through the
// scorer at the default weights, and only the rows whose stored values would change are returned for the write.
import type { ItemRow, ItemScorer } from '../items/index.js'
import type { StoredScore } from './housekeeping.repository.js'

// stored as `real` (float4): differences below this are the column's rounding, not a change
const EPSILON = 1e-3
const same = (a: number, b: number) => Math.abs(a - b) < EPSILON

export function changedScores (items: ItemRow[], now: Date, score: ItemScorer): StoredScore[] {
  const changed: StoredScore[] = []
  for (const item of items) {
    const s = score(item, now)
    if (same(s.importance, item.importance) && same(s.urgency, item.urgency) && same(s.score, item.score) && s.quadrant === item.quadrant) continue
    changed.push({ id: item.id, importance: s.importance, urgency: s.urgency, score: s.score, quadrant: s.quadrant })
  }
  return changed
}
