// The terms of importance (I) and urgency (U), SPEC §4.2: the generic formulas and the source rules that
// replace them for meetings and tasks. Pure: the clock comes in as `now`.
import { keywordUrgency } from './keywords.js'
import { dealPhrase, deadlinePhrase, money, peoplePhrase, startPhrase, TIER_PHRASE } from './phrases.js'
import type { DateLike, Priority, ScoringItem, TaskCategory, Term, Tier } from './types.js'

const HOUR = 3_600_000

export const TIER_POINTS: Record<Tier, number> = { founder: 20, c_level: 18, vp: 15, director: 12, manager: 8, individual: 5, unknown: 0 }
export const PRIORITY_POINTS: Record<Priority, number> = { critical: 95, high: 80, medium: 60, low: 40 }
const CATEGORY_IMPORTANCE: Partial<Record<TaskCategory, number>> = { opportunity: 25, deadline: 20, security: 20, meeting: 15, feedback: 10 }
const CATEGORY_EFFORT: Partial<Record<TaskCategory, number>> = { email: 15, meeting: 30, analysis: 45, planning: 40, research: 35 }

export const toMs = (d: DateLike): number => typeof d === 'string' ? Date.parse(d) : d.getTime()
export const clamp = (x: number) => Math.min(100, Math.max(0, x))

/** R: the given revenue potential, else a deal's amount × probability / 100 (probability 50 by default). */
export function revenueOf (item: ScoringItem): number {
  if (item.kind === 'task') return 0
  if (item.revenuePotential !== undefined) return item.revenuePotential
  if (item.amount !== undefined) return item.amount * (item.probability ?? 50) / 100
  return 0
}

export const isStrategic = (item: ScoringItem): boolean =>
  item.isStrategic === true || (item.tags?.includes('strategic') ?? false) || (item.kind === 'deal' && (item.amount ?? 0) > 50000)

interface Sender { email?: string, name?: string, tier?: Tier, score?: number }

/** The highest-ranked other attendee: tier points, then score. */
export function topAttendee (attendees: readonly Sender[]): Sender | undefined {
  let best: Sender | undefined
  for (const a of attendees) {
    if (!best) { best = a; continue }
    const dt = TIER_POINTS[a.tier ?? 'unknown'] - TIER_POINTS[best.tier ?? 'unknown']
    if (dt > 0 || (dt === 0 && (a.score ?? 0) > (best.score ?? 0))) best = a
  }
  return best
}

export function genericImportance (item: ScoringItem, R: number, sender: Sender): Term[] {
  const terms: Term[] = []
  const revenue = R > 0 ? Math.min(40, 40 * R / 100000) : 0
  terms.push({ key: 'revenue', dimension: 'I', points: revenue, phrase: `${money(R)} expected revenue` })
  const score = sender.score ?? 0
  const who = sender.name ?? sender.email
  terms.push({ key: 'sender', dimension: 'I', points: 0.3 * score, phrase: who ? `from ${who} (score ${score})` : null })
  const tier = sender.tier ?? 'unknown'
  terms.push({ key: 'tier', dimension: 'I', points: TIER_POINTS[tier], phrase: TIER_PHRASE[tier] })
  terms.push({ key: 'strategic', dimension: 'I', points: isStrategic(item) ? 10 : 0, phrase: item.kind === 'deal' ? 'strategic deal' : 'strategic' })
  return terms
}

export function deadlineBand (h: number): number {
  if (h < 0) return 50
  if (h < 4) return 45
  if (h < 24) return 35
  if (h < 72) return 25
  if (h < 168) return 15
  return 5
}

export function responseBand (hours: number): number {
  if (hours <= 4) return 30
  if (hours <= 24) return 20
  if (hours <= 48) return 10
  return 0
}

export function genericUrgency (item: ScoringItem, now: number): Term[] {
  const terms: Term[] = []
  if (item.deadline != null) {
    const ms = toMs(item.deadline) - now
    terms.push({ key: 'deadline', dimension: 'U', points: deadlineBand(ms / HOUR), phrase: deadlinePhrase(item.kind, ms) })
  }
  // a sender with no people row answers in 48 h (SPEC §4.1)
  if (item.awaitingReply === true) terms.push({ key: 'response', dimension: 'U', points: responseBand(item.expectedResponseHours ?? 48), phrase: 'awaiting your reply' })
  const keyword = keywordUrgency(item.subject ?? item.title, item.bodyPreview)
  if (keyword) terms.push({ key: 'keyword', dimension: 'U', points: keyword.points, phrase: `says “${keyword.word}”` })
  return terms
}

export function meetingUrgency (item: ScoringItem, now: number): Term[] {
  const start = item.meetingStart ?? item.deadline
  if (start == null) return [{ key: 'meetingStart', dimension: 'U', points: 50, phrase: null }]
  const ms = toMs(start) - now
  const h = ms / HOUR
  const points = h < 2 ? 95 : h < 24 ? 75 : h < 48 ? 60 : 50
  return [{ key: 'meetingStart', dimension: 'U', points, phrase: startPhrase(ms) }]
}

const largestDeal = (item: ScoringItem) => Math.max(0, ...(item.associatedDeals ?? []).map((d) => d.amount ?? 0))

export function taskUrgency (item: ScoringItem, now: number): Term[] {
  const priority = item.priority ?? 'medium'
  const terms: Term[] = [{ key: 'priority', dimension: 'U', points: PRIORITY_POINTS[priority], phrase: `${priority} priority` }]
  const source = item.sourceType ?? ''
  if (source.startsWith('email')) terms.push({ key: 'source', dimension: 'U', points: 10, phrase: 'from an email' })
  else if (source.startsWith('slack')) terms.push({ key: 'source', dimension: 'U', points: 10, phrase: 'from Slack' })
  if ((item.associatedDeals?.length ?? 0) > 0) terms.push({ key: 'deals', dimension: 'U', points: 10, phrase: dealPhrase(largestDeal(item)) })
  if (item.deadline != null) {
    const ms = toMs(item.deadline) - now
    const h = ms / HOUR
    const points = h < 0 ? 20 : h < 24 ? 15 : h < 72 ? 10 : 0
    terms.push({ key: 'deadline', dimension: 'U', points, phrase: deadlinePhrase('task', ms) })
  }
  return terms
}

export function taskImportance (item: ScoringItem): Term[] {
  const terms: Term[] = [{ key: 'base', dimension: 'I', points: 60, phrase: null }]
  const people = item.associatedPeople?.length ?? 0
  if (people > 0) terms.push({ key: 'people', dimension: 'I', points: 15, phrase: peoplePhrase(people) })
  const deal = largestDeal(item)
  if (deal > 50000) terms.push({ key: 'deals', dimension: 'I', points: deal > 100000 ? 25 : 15, phrase: dealPhrase(deal) })
  const category = item.category
  const points = category ? CATEGORY_IMPORTANCE[category] ?? 0 : 0
  if (category && points > 0) terms.push({ key: 'category', dimension: 'I', points, phrase: category })
  return terms
}

/** min(60, ⌊len(description)/10⌋) + category (email 15, meeting 30, analysis 45, planning 40, research 35, other 20), at most 80. */
export function taskEffort (item: ScoringItem): number {
  const length = Math.min(60, Math.floor((item.description?.length ?? 0) / 10))
  return Math.min(80, length + (CATEGORY_EFFORT[item.category ?? 'general'] ?? 20))
}
