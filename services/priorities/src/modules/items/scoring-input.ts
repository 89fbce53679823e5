// Maps a stored item (and its sender's `people` row) to the scoring engine's input (SPEC §4.1 → §4.2).
import type { ScoringItem, Tier } from '../scoring/types.js'
import type { ItemRow } from './items.repository.js'

export interface PersonFacts { tier: Tier, score: number, responseHours: number, name: string | null }

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined)

export function toScoringItem (i: ItemRow, sender?: PersonFacts | null): ScoringItem {
  const d = i.details
  const t = i.task
  return {
    kind: i.kind,
    title: i.title,
    subject: str(d.subject),
    bodyPreview: i.bodyPreview ?? undefined,
    sourceType: i.sourceType ?? undefined,
    // a task a person made or assigned by hand is human (SPEC §4.3)
    requesterUserId: t?.requesterUserId ?? (d.byHand === true ? i.ownerUserId : null),
    revenuePotential: i.revenuePotential,
    amount: typeof d.amount === 'number' ? d.amount : undefined,
    probability: typeof d.probability === 'number' ? d.probability : undefined,
    deadline: t ? t.dueAt : i.deadline,
    awaitingReply: i.awaitingReply,
    expectedResponseHours: sender?.responseHours ?? i.expectedResponseHours ?? undefined,
    senderEmail: i.senderEmail ?? undefined,
    senderName: sender?.name ?? str(d.senderName),
    senderTier: sender?.tier ?? (i.senderTier as Tier | null) ?? undefined,
    senderScore: sender?.score ?? i.senderScore ?? undefined,
    isStrategic: i.isStrategic,
    tags: i.tags,
    riskLevel: i.riskLevel ?? undefined,
    approvalRequired: i.approvalRequired,
    meetingStart: str(d.meetingStart),
    attendees: Array.isArray(d.attendees) ? d.attendees as ScoringItem['attendees'] : undefined,
    priority: t?.priority,
    category: t?.category as ScoringItem['category'],
    description: t?.description ?? undefined,
    associatedPeople: t?.associatedPeople,
    associatedDeals: t?.associatedDeals,
    importanceOverride: i.importanceOverride,
    urgencyOverride: i.urgencyOverride,
    domainOverride: i.domainOverride
  }
}
