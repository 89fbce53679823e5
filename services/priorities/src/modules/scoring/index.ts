// The scoring engine of priorities (SPEC §4.2–§4.4). Items, the surface and the rescore use exactly these.
export * from './scoring.schemas.js'
export type * from './types.js'
export { scoreItem, roundScore, toScoreReply, compareScored, type SortKey } from './score.js'
export { quadrantOf, weightsFor, moveOverrides, LABELS, DEFAULT_WEIGHTS, isImportant, isUrgent } from './quadrants.js'
export { domainOf } from './domain.js'
export { whyLine, TIE_ORDER } from './why.js'
export { keywordUrgency } from './keywords.js'
export {
  genericImportance, genericUrgency, meetingUrgency, taskImportance, taskUrgency, taskEffort, revenueOf, isStrategic, topAttendee,
  deadlineBand, responseBand, TIER_POINTS, PRIORITY_POINTS
} from './terms.js'
export { duration, deadlinePhrase, money } from './phrases.js'
export { scoringRoutes, type ScoringRouteOptions, type PersonRow } from './scoring.routes.js'
