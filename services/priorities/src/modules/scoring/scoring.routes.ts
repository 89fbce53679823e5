// POST /api/priorities/score (SPEC §4.4): scores a given item without storing it, with the caller's focus
// weights and people rows. Registered without a prefix: the full path is declared here.
import type { FastifyInstance } from 'fastify'
import type { Identity } from '@robbie/contracts'
import { ScoreBody, ScoreReply } from './scoring.schemas.js'
import { scoreItem, toScoreReply } from './score.js'
import type { ScoringItem, Tier } from './types.js'

export interface PersonRow { name?: string | null, tier: Tier, score: number, responseHours: number }

export interface ScoringRouteOptions {
  /** the `people` rows of these emails (absent ones left out) */
  lookupPeople?: (emails: string[]) => Promise<Map<string, PersonRow>>
  /** the user's gandhi value (undefined when there is no row: 5) */
  focusOf?: (userId: string) => Promise<number | undefined>
}

// People tiers and scores are owner/admin data (SPEC §1.1): a member's dry run never reads them
const mayReadPeople = (identity: Identity | null) => identity?.role === 'owner' || identity?.role === 'admin'

/** Fills what the body leaves out from the people rows; what the body says wins (a dry run asks "what if"). */
async function withPeople (item: ScoringItem, lookup: NonNullable<ScoringRouteOptions['lookupPeople']>): Promise<ScoringItem> {
  const emails = [item.senderEmail, ...(item.attendees ?? []).map((a) => a.email)].filter((e): e is string => e !== undefined)
  if (emails.length === 0) return item
  const rows = await lookup([...new Set(emails.map((e) => e.toLowerCase()))])
  const row = (email?: string) => email === undefined ? undefined : rows.get(email.toLowerCase())
  const sender = row(item.senderEmail)
  return {
    ...item,
    ...(sender
      ? {
          senderName: item.senderName ?? sender.name ?? undefined,
          senderTier: item.senderTier ?? sender.tier,
          senderScore: item.senderScore ?? sender.score,
          expectedResponseHours: item.expectedResponseHours ?? sender.responseHours
        }
      : {}),
    ...(item.attendees
      ? {
          attendees: item.attendees.map((a) => {
            const r = row(a.email)
            return r ? { ...a, name: a.name ?? r.name ?? undefined, tier: a.tier ?? r.tier, score: a.score ?? r.score } : a
          })
        }
      : {})
  }
}

export async function scoringRoutes (app: FastifyInstance, opts: ScoringRouteOptions = {}): Promise<void> {
  app.post('/api/priorities/score', {
    config: { scope: 'priorities:read' },
    schema: { tags: ['priorities'], summary: 'Score an item without storing it (a dry run)', body: ScoreBody, response: { 200: ScoreReply } }
  }, async (request) => {
    const { now, ...input } = request.body as ScoreBody
    const identity = request.identity
    const item = opts.lookupPeople && mayReadPeople(identity) ? await withPeople(input, opts.lookupPeople) : input
    const userId = identity?.kind === 'user' ? identity.id : identity?.actor?.id
    const gandhi = opts.focusOf && userId ? await opts.focusOf(userId) : undefined
    // a task scored by a signed-in person is one they would make by hand (SPEC §4.3)
    const scored = item.kind === 'task' && item.requesterUserId === undefined && userId ? { ...item, requesterUserId: userId } : item
    return toScoreReply(scoreItem(scored, { now: now ? new Date(now) : new Date(), ...(gandhi !== undefined ? { gandhi } : {}) }))
  })
}
