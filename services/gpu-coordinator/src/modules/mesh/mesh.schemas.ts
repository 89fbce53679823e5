// Reply schemas of the mesh status API (SPEC §7.4). Members get totals and model availability only.
import { Type, type TSchema } from 'typebox'

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()])
const Counts = Type.Record(Type.String(), Type.Integer())
const Totals = Type.Object({ nodes: Type.Integer(), healthy: Type.Integer(), gpus: Type.Integer(), memoryMb: Type.Integer() }, { additionalProperties: false })

const NodeStatusView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  status: Type.String(),
  breaker: Type.String(),
  labels: Type.Record(Type.String(), Type.String()),
  gpu: Nullable(Type.Object({ count: Type.Integer(), type: Type.String(), memoryMb: Type.Integer(), memoryUsedMb: Type.Optional(Type.Integer()) }, { additionalProperties: false })),
  loaded: Type.Array(Type.Object({ model: Type.String(), sizeMb: Type.Integer(), expiresAt: Nullable(Type.String()) }, { additionalProperties: false })),
  inflight: Type.Integer(),
  maxInflight: Type.Integer(),
  tokPerSec: Type.Record(Type.String(), Type.Number()),
  errorRate: Type.Number(),
  lastSeenAt: Nullable(Type.String())
}, { additionalProperties: false })

export const MeshReply = Type.Object({
  nodes: Type.Optional(Type.Array(NodeStatusView)),
  queue: Type.Optional(Type.Object({ depth: Type.Integer(), byClass: Counts }, { additionalProperties: false })),
  models: Type.Array(Type.Object({
    name: Type.String(),
    // node names: owner and admin only
    nodes: Type.Optional(Type.Array(Type.String())),
    loadedOn: Type.Optional(Type.Array(Type.String())),
    available: Type.Boolean(),
    loaded: Type.Boolean()
  }, { additionalProperties: false })),
  totals: Totals
}, { additionalProperties: false })

export const HistoryQuery = Type.Object({ minutes: Type.Integer({ minimum: 1, maximum: 1440, default: 60 }) }, { additionalProperties: false })
export const HistoryReply = Type.Object({
  items: Type.Array(Type.Object({ at: Type.String(), queueDepth: Type.Integer(), byClass: Counts, inflight: Counts }, { additionalProperties: false })),
  nextCursor: Type.Null()
}, { additionalProperties: false })
