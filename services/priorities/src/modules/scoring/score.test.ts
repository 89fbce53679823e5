// SPEC §4.2–§4.4 worked examples: every vector's I, U, Q and P (one decimal and unrounded), V3's effort,
// the strategic-focus vectors, the why lines of V1 and V2, and the domains of §4.3.
import { describe, expect, it } from 'vitest'
import { compareScored, deadlinePhrase, duration, keywordUrgency, money, moveOverrides, roundScore, scoreItem, toScoreReply, weightsFor } from './index.js'
import { EXPECTED, VECTOR_NOW, VECTORS } from './vectors.js'

const score = (v: keyof typeof VECTORS, gandhi?: number) => scoreItem(VECTORS[v], { now: VECTOR_NOW, ...(gandhi !== undefined ? { gandhi } : {}) })

describe('the worked examples V1–V8', () => {
  it.each(Object.keys(VECTORS) as Array<keyof typeof VECTORS>)('%s gives exactly SPEC’s I, U, Q and P', (v) => {
    const want = EXPECTED[v]
    const got = score(v)
    expect(got.importance).toBeCloseTo(want.importance, 9)
    expect(got.urgency).toBeCloseTo(want.urgency, 9)
    expect(got.quadrant).toBe(want.quadrant)
    expect(got.score).toBeCloseTo(want.exact, 9)
    expect(roundScore(got.score)).toBe(want.score)
    expect(toScoreReply(got)).toMatchObject({ importance: want.importance, urgency: want.urgency, quadrant: want.quadrant, score: want.score })
  })

  it('V3 takes 24 + 20 = 44 effort; only tasks have one', () => {
    expect(score('V3').effort).toBe(44)
    expect(score('V4').effort).toBe(20)
    expect(score('V1').effort).toBeUndefined()
    expect('effort' in toScoreReply(score('V2'))).toBe(false)
  })

  it('labels the quadrants', () => {
    expect([score('V3').label, score('V4').label, score('V2').label, score('V1').label]).toEqual(['Do now', 'Schedule', 'Delegate', 'Eliminate'])
  })

  it('the why lines of V1 and V2 are SPEC’s, verbatim', () => {
    expect(score('V1').why).toBe('Closes in 30 h · $60k expected revenue · strategic deal')
    expect(score('V2').why).toBe('Due in 3 h · from Dana Reyes (score 90) · says “urgent”')
  })

  it('the other vectors read naturally, and an override says where it was moved', () => {
    expect(score('V3').why).toBe('medium priority · Due in 20 h · involves 1 person')
    expect(score('V5').why).toBe('Starts in 90 min · from Fran Ito (score 100) · founder sender')
    expect(score('V6').why).toBe('medium priority · security')
    expect(score('V7').why).toBe('Closes in 2 h · $120k expected revenue · strategic deal')
    expect(score('V8').why).toBe('you moved it to Q1 · Due in 3 h · says “urgent”')
  })

  it('domains: V1 and V7 human (R > 50 000), V2 agent, V3 and V4 human (by hand), V5 human (attended), V6 human (security)', () => {
    for (const v of ['V1', 'V2', 'V3', 'V4', 'V5', 'V6', 'V7'] as const) expect([v, score(v).domain]).toEqual([v, EXPECTED[v].domain])
  })

  it('the breakdown lists every term and P = weighted + boost', () => {
    const v1 = score('V1')
    expect(v1.breakdown).toEqual([
      { term: 'revenue', dimension: 'I', points: 24 },
      { term: 'strategic', dimension: 'I', points: 10 },
      { term: 'deadline', dimension: 'U', points: 25 },
      { term: 'weighted', dimension: 'P', points: expect.closeTo(3.04, 9) },
      { term: 'revenueBoost', dimension: 'P', points: 20 }
    ])
    const v3 = score('V3').breakdown
    expect(v3.filter((b) => b.dimension === 'I').map((b) => [b.term, b.points])).toEqual([['base', 60], ['people', 15], ['deals', 15]])
    expect(v3.filter((b) => b.dimension === 'U').map((b) => [b.term, b.points])).toEqual([['priority', 60], ['deals', 10], ['deadline', 15]])
  })
})

describe('strategic focus (SPEC §4.4)', () => {
  it('V4 at gandhi 9 → 46.8; V2 at 2 → 25.32; V4 at 2 and V2 at 9 unchanged', () => {
    expect(score('V4', 9).score).toBeCloseTo(46.8, 9)
    expect(roundScore(score('V4', 9).score)).toBe(46.8)
    expect(score('V2', 2).score).toBeCloseTo(25.32, 9)
    expect(roundScore(score('V2', 2).score)).toBe(25.3)
    expect(score('V4', 2).score).toBeCloseTo(36.4, 9)
    expect(roundScore(score('V2', 9).score)).toBe(16.9)
  })

  it('bands: 8–10 high, 1–3 low, 4–7 and no row the defaults', () => {
    expect([8, 10].map((g) => weightsFor(g).Q2)).toEqual([0.9, 0.9])
    expect([1, 3].map((g) => weightsFor(g).Q3)).toEqual([0.6, 0.6])
    expect([4, 5, 7, undefined].map((g) => weightsFor(g))).toEqual(Array(4).fill({ Q1: 1, Q2: 0.7, Q3: 0.4, Q4: 0.1 }))
  })
})

describe('source rules and overrides', () => {
  it('meeting urgency bands and the top attendee by tier, then score', () => {
    const meeting = (hours: number) => scoreItem({ kind: 'meeting', meetingStart: new Date(VECTOR_NOW.getTime() + hours * 3_600_000) }, { now: VECTOR_NOW }).urgency
    expect([1.9, 2, 23.9, 24, 47.9, 48, 200].map(meeting)).toEqual([95, 75, 75, 60, 60, 50, 50])
    const top = scoreItem({ kind: 'meeting', attendees: [{ tier: 'c_level', score: 10 }, { tier: 'c_level', score: 60 }, { tier: 'manager', score: 100 }] }, { now: VECTOR_NOW })
    expect(top.importance).toBeCloseTo(18 + 18, 9)
  })

  it('task urgency: priority, email/Slack source, deals, due bands; importance: people, largest deal, category', () => {
    const t = scoreItem({ kind: 'task', priority: 'high', sourceType: 'email', deadline: new Date(VECTOR_NOW.getTime() - 48 * 3_600_000), category: 'opportunity', associatedDeals: [{ amount: 60000 }, { amount: 150000 }] }, { now: VECTOR_NOW })
    expect([t.urgency, t.importance]).toEqual([100, 100]) // 80+10+10+20 and 60+25+25, clamped
    expect(t.why).toBe('high priority · tied to a $150k deal · opportunity') // 25 and 25: deals before category
    expect(t.breakdown.find((b) => b.term === 'deadline')).toEqual({ term: 'deadline', dimension: 'U', points: 20 })
    expect(scoreItem({ kind: 'task', priority: 'low', deadline: new Date(VECTOR_NOW.getTime() - 48 * 3_600_000) }, { now: VECTOR_NOW }).why).toBe('low priority · Overdue by 2 d')
    expect(scoreItem({ kind: 'task', priority: 'critical', description: 'x'.repeat(5000), category: 'analysis' }, { now: VECTOR_NOW }).effort).toBe(80)
  })

  it('a drag changes only the dimensions that must change', () => {
    expect(moveOverrides({ importance: 27, urgency: 65 }, 'Q1')).toEqual({ importanceOverride: 50 })
    expect(moveOverrides({ importance: 90, urgency: 85 }, 'Q4')).toEqual({ importanceOverride: 49, urgencyOverride: 49 })
    expect(moveOverrides({ importance: 60, urgency: 40 }, 'Q2')).toEqual({})
    expect(moveOverrides({ importance: 10, urgency: 30 }, 'Q3')).toEqual({ urgencyOverride: 50 })
  })
})

describe('sorting', () => {
  it('unrounded score desc, earlier deadline (none last), lower effort, older createdAt, id', () => {
    const base = { score: 50, createdAt: '2026-01-01T00:00:00Z' }
    const items = [
      { ...base, id: 'h', score: 50.04 },
      { ...base, id: 'g' },
      { ...base, id: 'f', deadline: '2026-02-01T00:00:00Z' },
      { ...base, id: 'e', deadline: '2026-01-15T00:00:00Z', effort: 30 },
      { ...base, id: 'd', deadline: '2026-01-15T00:00:00Z', effort: 10 },
      { ...base, id: 'c', deadline: '2026-01-15T00:00:00Z', effort: 10, createdAt: '2025-12-01T00:00:00Z' },
      { ...base, id: 'b', deadline: '2026-01-15T00:00:00Z', effort: 10, createdAt: '2025-12-01T00:00:00Z' },
      { ...base, id: 'a', score: 50.01 }
    ]
    expect([...items].sort(compareScored).map((i) => i.id)).toEqual(['h', 'a', 'b', 'c', 'd', 'e', 'f', 'g'])
  })
})

describe('phrases', () => {
  it('durations, money and keywords read as SPEC writes them', () => {
    expect([duration(90 * 60_000), duration(3 * 3_600_000), duration(30 * 3_600_000), duration(-48 * 3_600_000)]).toEqual(['90 min', '3 h', '30 h', '2 d'])
    expect([deadlinePhrase('deal', 30 * 3_600_000), deadlinePhrase('email', 3 * 3_600_000), deadlinePhrase('task', -2 * 86_400_000)]).toEqual(['Closes in 30 h', 'Due in 3 h', 'Overdue by 2 d'])
    expect([money(60000), money(75000), money(120000), money(1_500_000), money(750)]).toEqual(['$60k', '$75k', '$120k', '$1.5M', '$750'])
    expect(keywordUrgency('Please reply immediately.')).toEqual({ word: 'immediately', points: 10 })
    expect(keywordUrgency('Immediate-action: deadline')).toEqual({ word: 'immediate', points: 10 })
  })
})
