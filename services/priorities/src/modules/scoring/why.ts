// The `why` line (SPEC §4.4): the three largest I and U terms by points (the revenue boost is not a term),
// joined by " · ", ties broken in SPEC's order; a phrase shown once.
import type { Term, TermKey } from './types.js'

export const TIE_ORDER: readonly TermKey[] = ['override', 'deadline', 'meetingStart', 'priority', 'revenue', 'keyword', 'sender', 'tier',
  'strategic', 'response', 'people', 'deals', 'category', 'source', 'base']
const rank = new Map(TIE_ORDER.map((k, i) => [k, i]))

export function whyLine (terms: readonly Term[]): string {
  const shown = terms
    .filter((t) => t.points > 0 && t.phrase !== null)
    .sort((a, b) => b.points - a.points || rank.get(a.key)! - rank.get(b.key)!)
  const phrases: string[] = []
  for (const t of shown) {
    if (!phrases.includes(t.phrase!)) phrases.push(t.phrase!)
    if (phrases.length === 3) break
  }
  return phrases.join(' · ')
}
