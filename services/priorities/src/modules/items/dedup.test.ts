import { describe, expect, it } from 'vitest'
import { bestDuplicate, jaccard, wordSet } from './dedup.js'

describe('dedup (SPEC §4.5 vectors)', () => {
  it('splits on anything that is not a letter or digit, lower-cased', () => {
    expect([...wordSet('Review PR: fix login-bug!')]).toEqual(['review', 'pr', 'fix', 'login', 'bug'])
  })
  it('"Review PR: fix login bug" vs "Review PR fix login bug today" = 5/6 → duplicate', () => {
    expect(jaccard('Review PR: fix login bug', 'Review PR fix login bug today')).toBeCloseTo(5 / 6)
    expect(bestDuplicate('Review PR: fix login bug', [{ title: 'Review PR fix login bug today' }])).not.toBeNull()
  })
  it('"Call Dana about renewal" vs "call dana about the renewal" = 4/5 → duplicate', () => {
    expect(jaccard('Call Dana about renewal', 'call dana about the renewal')).toBeCloseTo(0.8)
    expect(bestDuplicate('Call Dana about renewal', [{ title: 'call dana about the renewal' }])?.similarity).toBeCloseTo(0.8)
  })
  it('"Send Q3 report to board" vs "Send Q4 report to board" = 4/6 → new task', () => {
    expect(jaccard('Send Q3 report to board', 'Send Q4 report to board')).toBeCloseTo(4 / 6)
    expect(bestDuplicate('Send Q3 report to board', [{ title: 'Send Q4 report to board' }])).toBeNull()
  })
  it('exactly 7/10 is a new task', () => {
    const a = 'a b c d e f g h'
    const b = 'a b c d e f g i j'
    expect(jaccard(a, b)).toBeCloseTo(0.7)
    expect(bestDuplicate(a, [{ title: b }])).toBeNull()
  })
  it('picks the most similar candidate', () => {
    const r = bestDuplicate('call dana about renewal', [{ title: 'call dana about the renewal' }, { title: 'Call Dana about renewal' }])
    expect(r?.match.title).toBe('Call Dana about renewal')
    expect(r?.similarity).toBe(1)
  })
})
