// The stored dimensions of an item: P1's engine at the default weights (gandhi 5), read at write time.
import { scoreItem } from '../scoring/score.js'
import type { ItemRow } from './items.repository.js'
import type { Scored } from './items.service.js'
import { toScoringItem, type PersonFacts } from './scoring-input.js'

export function scoreRow (item: ItemRow, now: Date, sender?: PersonFacts | null, gandhi = 5) {
  return scoreItem(toScoringItem(item, sender), { now, gandhi })
}

export function storedScore (item: ItemRow, now: Date): Scored {
  const s = scoreRow(item, now)
  return { importance: s.importance, urgency: s.urgency, effort: s.effort ?? null, score: s.score, quadrant: s.quadrant, domain: s.domain }
}
