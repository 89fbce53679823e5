// Property tests of the engine (SPEC §4.2, §4.4): bounds, monotonicity in deadline and revenue, weights
// that never move a quadrant, and keywords matched as whole words only.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { keywordUrgency, scoreItem } from './index.js'
import type { ScoringItem } from './index.js'

const NOW = new Date('2026-03-02T09:00:00.000Z')
const HOUR = 3_600_000
const inHours = (h: number) => new Date(NOW.getTime() + h * HOUR)

const hours = fc.double({ min: -2000, max: 2000, noNaN: true })
const pct = fc.double({ min: 0, max: 100, noNaN: true })
const money = fc.double({ min: 0, max: 1e9, noNaN: true })
const tier = fc.constantFrom('founder', 'c_level', 'vp', 'director', 'manager', 'individual', 'unknown' as const)
const words = fc.array(fc.constantFrom('urgent', 'now', 'know', 'today', 'deadline', 'contract', 'asap', 'hello', 'CRITICAL', 'renewal'), { maxLength: 8 }).map((w) => w.join(' '))

const item: fc.Arbitrary<ScoringItem> = fc.record({
  kind: fc.constantFrom('task', 'email', 'meeting', 'deal', 'calendar_conflict', 'system_backup'),
  subject: words,
  bodyPreview: words,
  sourceType: fc.constantFrom('email', 'slack', 'github', 'system', 'ui'),
  revenuePotential: money,
  amount: money,
  probability: pct,
  deadline: hours.map(inHours),
  awaitingReply: fc.boolean(),
  expectedResponseHours: fc.double({ min: 0, max: 500, noNaN: true }),
  senderName: fc.constantFrom('Dana Reyes', 'Sam'),
  senderTier: tier,
  senderScore: pct,
  isStrategic: fc.boolean(),
  tags: fc.subarray(['strategic', 'internal', 'decision']),
  meetingStart: hours.map(inHours),
  attendees: fc.array(fc.record({ tier, score: pct }), { maxLength: 4 }),
  priority: fc.constantFrom('low', 'medium', 'high', 'critical' as const),
  category: fc.constantFrom('general', 'security', 'opportunity', 'deadline', 'meeting', 'feedback', 'learning', 'analysis' as const),
  description: fc.string({ maxLength: 1200 }),
  associatedPeople: fc.array(fc.record({ name: fc.constantFrom('A', 'B') }), { maxLength: 3 }),
  associatedDeals: fc.array(fc.record({ amount: money }), { maxLength: 3 }),
  importanceOverride: fc.option(pct),
  urgencyOverride: fc.option(pct)
}, { requiredKeys: ['kind'] })
const gandhi = fc.option(fc.integer({ min: 1, max: 10 }), { nil: undefined })
const ctx = (g: number | undefined) => ({ now: NOW, ...(g !== undefined ? { gandhi: g } : {}) })

describe('properties', () => {
  it('every score, importance and urgency is within 0–100', () => {
    fc.assert(fc.property(item, gandhi, (i, g) => {
      const s = scoreItem(i, ctx(g))
      for (const x of [s.score, s.importance, s.urgency]) expect(x >= 0 && x <= 100).toBe(true)
    }), { numRuns: 2000 })
  })

  it('a nearer deadline (or meeting start) never lowers urgency', () => {
    fc.assert(fc.property(item, hours, hours, (i, a, b) => {
      const [near, far] = a <= b ? [a, b] : [b, a]
      const u = (h: number) => scoreItem({ ...i, deadline: inHours(h), ...(i.meetingStart ? { meetingStart: inHours(h) } : {}) }, ctx(undefined)).urgency
      expect(u(near)).toBeGreaterThanOrEqual(u(far))
    }), { numRuns: 2000 })
  })

  it('adding revenue never lowers the score', () => {
    fc.assert(fc.property(item, money, money, gandhi, (i, a, b, g) => {
      const [less, more] = a <= b ? [a, b] : [b, a]
      const p = (r: number) => scoreItem({ ...i, revenuePotential: r }, ctx(g)).score
      expect(p(more)).toBeGreaterThanOrEqual(p(less))
    }), { numRuns: 2000 })
  })

  it('weights never change a quadrant, importance or urgency: only the score', () => {
    fc.assert(fc.property(item, fc.integer({ min: 1, max: 10 }), (i, g) => {
      const plain = scoreItem(i, ctx(undefined))
      const focused = scoreItem(i, ctx(g))
      expect([focused.quadrant, focused.importance, focused.urgency, focused.why]).toEqual([plain.quadrant, plain.importance, plain.urgency, plain.why])
    }), { numRuns: 2000 })
  })

  it('"know" never matches "now": keywords are whole words', () => {
    expect(keywordUrgency('I know, snowy nowhere; urgently ASAPs emergencyroom')).toBeNull()
    expect(keywordUrgency('Do you know? Need it NOW.')).toEqual({ word: 'now', points: 7 })
    expect(keywordUrgency('deadline today, then urgent')).toEqual({ word: 'urgent', points: 10 })
    const letters = fc.string({ unit: fc.constantFrom('k', 'n', 'o', 'w', 's', 'a', ' ', '.'), maxLength: 40 })
    fc.assert(fc.property(letters, letters, (a, b) => {
      const text = `${a}know${b}`.replaceAll(/\bnow\b/gi, 'nou').replaceAll(/\basap\b/gi, 'asa')
      expect(keywordUrgency(text)).toBeNull()
    }), { numRuns: 2000 })
  })
})
