// The engine's own types: the API's ScoringInput with dates that may also be Date objects (rows from
// Postgres), and what scoring returns.
import type { Static } from 'typebox'
import type { BreakdownEntry, Category, Domain, Quadrant, QuadrantLabel, ScoringInput, TaskPriority, Tier } from './scoring.schemas.js'

export type { BreakdownEntry, Quadrant, QuadrantLabel, Tier }

export type TaskCategory = Static<typeof Category>
export type Priority = Static<typeof TaskPriority>
export type ItemDomain = Static<typeof Domain>
export type DateLike = string | Date

export type ScoringItem = Omit<ScoringInput, 'deadline' | 'meetingStart'> & {
  deadline?: DateLike | null
  meetingStart?: DateLike | null
}

export interface ScoringContext {
  now: Date
  /** the viewer's strategic focus, 1–10 (no row = 5, SPEC §4.4) */
  gandhi?: number
}

/** The keys of I and U terms; the order of TIE_ORDER breaks ties in the `why` line. */
export type TermKey = 'override' | 'deadline' | 'meetingStart' | 'priority' | 'revenue' | 'keyword' | 'sender' | 'tier' | 'strategic' |
  'response' | 'people' | 'deals' | 'category' | 'source' | 'base'

export interface Term { key: TermKey, dimension: 'I' | 'U', points: number, phrase: string | null }

export interface ScoredItem {
  importance: number
  urgency: number
  effort?: number
  quadrant: Quadrant
  label: QuadrantLabel
  /** unrounded: sorting uses it; APIs show roundScore(score) */
  score: number
  domain: ItemDomain
  why: string
  breakdown: BreakdownEntry[]
  /** R, for the revenue boost and the domain rule */
  revenuePotential: number
}
