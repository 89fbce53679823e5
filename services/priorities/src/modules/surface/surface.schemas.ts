// Schemas of the surface, quadrant, stats and item routes (SPEC §4.4).
import { Type, type Static, type TSchema } from 'typebox'
import { Id, IsoDateTime, Str } from '@robbie/contracts'
import { Domain } from '../scoring/scoring.schemas.js'

export const Quadrant = Type.Union([Type.Literal('Q1'), Type.Literal('Q2'), Type.Literal('Q3'), Type.Literal('Q4')])
export const QuadrantLabel = Type.Union([Type.Literal('Do now'), Type.Literal('Schedule'), Type.Literal('Delegate'), Type.Literal('Eliminate')])

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()])
const Score = Type.Number({ minimum: 0, maximum: 100 })

export const SurfaceQuery = Type.Object({ top: Type.Optional(Type.Integer({ minimum: 1, maximum: 50 })) }, { additionalProperties: false })
export type SurfaceQuery = Static<typeof SurfaceQuery>

export const Source = Type.Object({ type: Type.String(), id: Type.String(), url: Type.Optional(Type.String()) })
export const SurfacedItem = Type.Object({
  id: Type.String(),
  kind: Type.String(),
  title: Type.String(),
  quadrant: Quadrant,
  label: QuadrantLabel,
  score: Type.Number(),
  importance: Type.Number(),
  urgency: Type.Number(),
  effort: Type.Optional(Type.Number()),
  domain: Domain,
  revenuePotential: Type.Number(),
  deadline: Nullable(Type.String()),
  why: Type.String(),
  source: Source,
  taint: Type.Boolean(),
  pinned: Type.Boolean()
})
const Brief = Type.Object({ id: Type.String(), kind: Type.String(), title: Type.String(), score: Type.Number() })
export const Stats = Type.Object({
  total: Type.Integer(),
  surfaced: Type.Integer(),
  submerged: Type.Integer(),
  q1: Type.Integer(),
  q2: Type.Integer(),
  q3: Type.Integer(),
  q4: Type.Integer(),
  agentQueue: Type.Integer(),
  selfQueue: Type.Integer(),
  q1Overload: Type.Boolean()
})
export const SurfaceReply = Type.Object({
  version: Type.Integer(),
  generatedAt: Type.String(),
  surfaced: Type.Array(SurfacedItem),
  submerged: Type.Object({ Q1: Type.Array(Brief), Q2: Type.Array(Brief), Q3: Type.Array(Brief), Q4: Type.Array(Brief) }),
  stats: Stats
})
export const StatsReply = Type.Object({ ...Stats.properties, avgScoreByKind: Type.Record(Type.String(), Type.Number()), at: Type.String() })

export const QuadrantParams = Type.Object({ q: Str(8, 1) }, { additionalProperties: false })
export const QuadrantQuery = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
  cursor: Type.Optional(Type.String({ pattern: '^[0-9]{1,7}$', maxLength: 7 }))
}, { additionalProperties: false })
export type QuadrantQuery = Static<typeof QuadrantQuery>
export const QuadrantReply = Type.Object({
  quadrant: Quadrant,
  count: Type.Integer(),
  items: Type.Array(Type.Object({ id: Type.String(), kind: Type.String(), title: Type.String(), score: Type.Number(), importance: Type.Number(), urgency: Type.Number(), why: Type.String() })),
  nextCursor: Nullable(Type.String())
})

export const ItemParams = Type.Object({ id: Id }, { additionalProperties: false })
export type ItemParams = Static<typeof ItemParams>
export const ItemView = Type.Object({
  ...SurfacedItem.properties,
  status: Type.String(),
  visibility: Type.String(),
  ownerUserId: Type.String(),
  assigneeUserId: Nullable(Type.String()),
  importanceOverride: Nullable(Type.Number()),
  urgencyOverride: Nullable(Type.Number()),
  snoozedUntil: Nullable(Type.String()),
  number: Type.Optional(Type.Integer()),
  version: Type.Integer(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
  breakdown: Type.Array(Type.Object({ term: Type.String(), dimension: Type.Union([Type.Literal('I'), Type.Literal('U'), Type.Literal('P')]), points: Type.Number() })),
  sources: Type.Array(Type.Object({ type: Type.String(), id: Type.String(), url: Nullable(Type.String()), addedAt: Type.String() }))
})
export const PatchItemBody = Type.Object({
  // null first: with the kit's coerceTypes, a number branch tried first would turn null ("reset") into 0
  importanceOverride: Type.Optional(Type.Union([Type.Null(), Score])),
  urgencyOverride: Type.Optional(Type.Union([Type.Null(), Score])),
  pinned: Type.Optional(Type.Boolean()),
  snoozedUntil: Type.Optional(Nullable(IsoDateTime)),
  status: Type.Optional(Type.Union([Type.Literal('dismissed'), Type.Literal('open')])),
  domain: Type.Optional(Nullable(Domain))
}, { additionalProperties: false, minProperties: 1 })
export type PatchItemBody = Static<typeof PatchItemBody>
export const MoveBody = Type.Object({ quadrant: Quadrant }, { additionalProperties: false })
export type MoveBody = Static<typeof MoveBody>
