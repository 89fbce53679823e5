// The one entry point (SPEC §4.2–§4.4): an item and a clock in, I, U, quadrant, P, domain, why and
// breakdown out. Pure and synchronous, so the surface, the 5-min rescore and the dry-run API share it.
import { domainOf } from './domain.js'
import { LABELS, quadrantOf, weightsFor } from './quadrants.js'
import {
  clamp, genericImportance, genericUrgency, meetingUrgency, revenueOf, taskEffort, taskImportance, taskUrgency, toMs, topAttendee
} from './terms.js'
import type { BreakdownEntry, DateLike, ScoredItem, ScoringContext, ScoringItem, Term } from './types.js'
import { whyLine } from './why.js'

const sum = (terms: readonly Term[]) => terms.reduce((acc, t) => acc + t.points, 0)

export function scoreItem (item: ScoringItem, ctx: ScoringContext): ScoredItem {
  const now = ctx.now.getTime()
  const R = revenueOf(item)
  const isTask = item.kind === 'task'
  const isMeeting = item.kind === 'meeting'
  // a meeting's sender is its highest-ranked other attendee (tier points, then score)
  const sender = isMeeting && item.attendees?.length
    ? topAttendee(item.attendees)!
    : { email: item.senderEmail, name: item.senderName, tier: item.senderTier, score: item.senderScore }

  let iTerms: Term[] = isTask ? taskImportance(item) : genericImportance(item, R, sender)
  let uTerms: Term[] = isTask ? taskUrgency(item, now) : isMeeting ? meetingUrgency(item, now) : genericUrgency(item, now)
  // an override replaces its whole dimension
  if (item.importanceOverride != null) iTerms = [{ key: 'override', dimension: 'I', points: item.importanceOverride, phrase: null }]
  if (item.urgencyOverride != null) uTerms = [{ key: 'override', dimension: 'U', points: item.urgencyOverride, phrase: null }]

  const importance = clamp(sum(iTerms))
  const urgency = clamp(sum(uTerms))
  const quadrant = quadrantOf(importance, urgency)
  for (const t of [...iTerms, ...uTerms]) if (t.key === 'override') t.phrase = `you moved it to ${quadrant}`

  const weighted = (0.6 * importance + 0.4 * urgency) * weightsFor(ctx.gandhi)[quadrant]
  // the boost comes after the weighting on purpose: money rises in the ranking without changing quadrant
  const boost = R > 0 ? Math.min(20, R / 1000) : 0
  const score = clamp(weighted + boost)

  const terms = [...iTerms, ...uTerms]
  const breakdown: BreakdownEntry[] = terms.filter((t) => t.points !== 0).map((t) => ({ term: t.key as string, dimension: t.dimension, points: t.points }))
  breakdown.push({ term: 'weighted', dimension: 'P', points: weighted })
  if (boost > 0) breakdown.push({ term: 'revenueBoost', dimension: 'P', points: boost })

  const result: ScoredItem = {
    importance,
    urgency,
    quadrant,
    label: LABELS[quadrant],
    score,
    domain: domainOf(item, R, sender.tier),
    why: whyLine(terms),
    breakdown,
    revenuePotential: R
  }
  if (isTask) result.effort = taskEffort(item)
  return result
}

/** APIs show one decimal; sorting uses the unrounded value. The nudge keeps 16.85 from printing as 16.8. */
export const roundScore = (x: number) => Math.round(x * 10 + 1e-9) / 10

/** The dry-run reply and any API view of a score: one decimal. */
export function toScoreReply (s: ScoredItem) {
  return {
    importance: roundScore(s.importance),
    urgency: roundScore(s.urgency),
    quadrant: s.quadrant,
    label: s.label,
    score: roundScore(s.score),
    ...(s.effort !== undefined ? { effort: s.effort } : {}),
    domain: s.domain,
    why: s.why,
    breakdown: s.breakdown.map((b) => ({ ...b, points: roundScore(b.points) }))
  }
}

export interface SortKey { id: string, score: number, deadline?: DateLike | null, effort?: number | null, createdAt: DateLike }

/**
 * The surface order: unrounded score desc, then earlier deadline (none last), lower effort (none last),
 * older createdAt, id.
 */
export function compareScored (a: SortKey, b: SortKey): number {
  if (a.score !== b.score) return b.score - a.score
  const da = a.deadline == null ? Infinity : toMs(a.deadline)
  const db = b.deadline == null ? Infinity : toMs(b.deadline)
  if (da !== db) return da < db ? -1 : 1
  const ea = a.effort ?? Infinity
  const eb = b.effort ?? Infinity
  if (ea !== eb) return ea < eb ? -1 : 1
  const ca = toMs(a.createdAt)
  const cb = toMs(b.createdAt)
  if (ca !== cb) return ca < cb ? -1 : 1
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0
}
