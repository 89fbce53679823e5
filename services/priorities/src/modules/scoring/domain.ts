// Human, agent or self (SPEC §4.3): first match wins; an override set by the owner or an admin wins first.
import { TIER_POINTS } from './terms.js'
import type { ItemDomain, ScoringItem, Tier } from './types.js'

const HUMAN_TAGS = ['strategic', 'decision', 'negotiation']
const SELF_CATEGORIES = ['maintenance', 'optimization', 'learning']

/** `R` is the item's revenue potential; `senderTier` the sender's (a meeting's top attendee's) tier. */
export function domainOf (item: ScoringItem, R: number, senderTier: Tier = 'unknown'): ItemDomain {
  if (item.domainOverride) return item.domainOverride
  const tags = item.tags ?? []
  const human =
    (item.kind === 'task' && item.requesterUserId != null) || // a task a person created or assigned by hand
    item.category === 'security' ||
    R > 50000 ||
    TIER_POINTS[senderTier] >= TIER_POINTS.c_level ||
    tags.some((t) => HUMAN_TAGS.includes(t)) ||
    (item.riskLevel ?? 0) > 7 ||
    item.approvalRequired === true ||
    item.kind === 'meeting' // meeting items exist only for events the owner attends (§4.1)
  if (human) return 'human'
  const self =
    item.sourceType === 'system' ||
    (item.category !== undefined && SELF_CATEGORIES.includes(item.category)) ||
    item.kind.startsWith('system_') ||
    tags.includes('internal')
  return self ? 'self' : 'agent'
}
