// The scoring input (SPEC §4.1's scoring fields) and the dry-run reply of POST /api/priorities/score (§4.4).
// Every string bounded and unknown fields refused; the same schema types the pure engine's input.
import { Type, type Static } from 'typebox'
import { Email, IsoDateTime, Str } from '@robbie/contracts'

const L = Type.Literal
export const Tier = Type.Union([L('founder'), L('c_level'), L('vp'), L('director'), L('manager'), L('individual'), L('unknown')])
export const Category = Type.Union([L('general'), L('email'), L('meeting'), L('deadline'), L('opportunity'), L('feedback'), L('security'),
  L('analysis'), L('planning'), L('research'), L('development'), L('maintenance'), L('optimization'), L('learning')])
export const TaskPriority = Type.Union([L('low'), L('medium'), L('high'), L('critical')])
export const Domain = Type.Union([L('human'), L('agent'), L('self')])
export const Quadrant = Type.Union([Type.Literal('Q1'), Type.Literal('Q2'), Type.Literal('Q3'), Type.Literal('Q4')])
export const QuadrantLabel = Type.Union([Type.Literal('Do now'), Type.Literal('Schedule'), Type.Literal('Delegate'), Type.Literal('Eliminate')])
export type Tier = Static<typeof Tier>
export type Quadrant = Static<typeof Quadrant>
export type QuadrantLabel = Static<typeof QuadrantLabel>

const Score0to100 = Type.Number({ minimum: 0, maximum: 100 })
const Money = Type.Number({ minimum: 0, maximum: 1e12 })
const Name = Str(200)
const Slug = Type.String({ pattern: '^[a-z][a-z0-9_.-]{0,39}$', maxLength: 40 })

export const Attendee = Type.Object({
  email: Type.Optional(Email),
  name: Type.Optional(Name),
  tier: Type.Optional(Tier),
  score: Type.Optional(Score0to100)
}, { additionalProperties: false })

export const ScoringInput = Type.Object({
  kind: Slug,
  title: Type.Optional(Str(300)),
  subject: Type.Optional(Str(998)),
  bodyPreview: Type.Optional(Str(2000)),
  sourceType: Type.Optional(Slug),
  /** who asked for a task by hand (SPEC §4.3); a task with one is human */
  requesterUserId: Type.Optional(Type.Union([Str(64, 1), Type.Null()])),
  revenuePotential: Type.Optional(Money),
  /** a deal's amount and probability: R = amount × probability / 100, strategic when amount > 50 000 (§4.1) */
  amount: Type.Optional(Money),
  probability: Type.Optional(Score0to100),
  deadline: Type.Optional(Type.Union([IsoDateTime, Type.Null()])),
  awaitingReply: Type.Optional(Type.Boolean()),
  expectedResponseHours: Type.Optional(Type.Number({ minimum: 0, maximum: 100000 })),
  senderEmail: Type.Optional(Email),
  senderName: Type.Optional(Name),
  senderTier: Type.Optional(Tier),
  senderScore: Type.Optional(Score0to100),
  isStrategic: Type.Optional(Type.Boolean()),
  tags: Type.Optional(Type.Array(Str(64, 1), { maxItems: 32 })),
  riskLevel: Type.Optional(Type.Integer({ minimum: 0, maximum: 10 })),
  approvalRequired: Type.Optional(Type.Boolean()),
  meetingStart: Type.Optional(IsoDateTime),
  /** the other attendees of a meeting (the viewer left out) */
  attendees: Type.Optional(Type.Array(Attendee, { maxItems: 200 })),
  priority: Type.Optional(TaskPriority),
  category: Type.Optional(Category),
  description: Type.Optional(Str(10000)),
  associatedPeople: Type.Optional(Type.Array(Type.Object({ email: Type.Optional(Email), name: Type.Optional(Name) }, { additionalProperties: false }), { maxItems: 100 })),
  associatedDeals: Type.Optional(Type.Array(Type.Object({ id: Type.Optional(Str(100)), name: Type.Optional(Name), amount: Type.Optional(Money) }, { additionalProperties: false }), { maxItems: 100 })),
  importanceOverride: Type.Optional(Type.Union([Score0to100, Type.Null()])),
  urgencyOverride: Type.Optional(Type.Union([Score0to100, Type.Null()])),
  domainOverride: Type.Optional(Type.Union([Domain, Type.Null()]))
}, { additionalProperties: false })
export type ScoringInput = Static<typeof ScoringInput>

/** The body of POST /api/priorities/score: the input plus an optional clock. */
export const ScoreBody = Type.Object({
  ...ScoringInput.properties,
  now: Type.Optional(IsoDateTime)
}, { additionalProperties: false })
export type ScoreBody = Static<typeof ScoreBody>

export const BreakdownEntry = Type.Object({
  term: Type.String(),
  dimension: Type.Union([Type.Literal('I'), Type.Literal('U'), Type.Literal('P')]),
  points: Type.Number()
}, { additionalProperties: false })
export type BreakdownEntry = Static<typeof BreakdownEntry>

export const ScoreReply = Type.Object({
  importance: Type.Number(),
  urgency: Type.Number(),
  quadrant: Quadrant,
  label: QuadrantLabel,
  score: Type.Number(),
  effort: Type.Optional(Type.Number()),
  domain: Domain,
  why: Type.String(),
  breakdown: Type.Array(BreakdownEntry)
}, { additionalProperties: false })
export type ScoreReply = Static<typeof ScoreReply>
