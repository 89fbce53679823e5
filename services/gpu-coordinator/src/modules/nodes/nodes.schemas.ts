// Request and reply schemas of the node registry (SPEC §7.1). Every string bounded, every object closed.
import { Type, type Static, type TSchema } from 'typebox'
import { Id, IsoDateTime, Page, PageQuery, Str } from '@robbie/contracts'

export const NodeName = Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' })
export const BaseUrl = Str(2048, 1)
export const ModelName = Type.String({ minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9][A-Za-z0-9._:/+-]*$' })
export const Labels = Type.Record(Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$' }), Str(200), { maxProperties: 32, additionalProperties: false })
export const Gpu = Type.Object({
  count: Type.Integer({ minimum: 0, maximum: 64 }),
  type: Str(100),
  memoryMb: Type.Integer({ minimum: 0, maximum: 10_000_000 })
}, { additionalProperties: false })
const MaxInflight = Type.Integer({ minimum: 1, maximum: 32 })
const NodeStatus = Type.Union([Type.Literal('healthy'), Type.Literal('degraded'), Type.Literal('busy'), Type.Literal('unhealthy'), Type.Literal('offline'), Type.Literal('draining'), Type.Literal('disabled')])
const Breaker = Type.Union([Type.Literal('closed'), Type.Literal('open'), Type.Literal('half-open')])
const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()])

/** One entry of ROBBIE_GPU_NODES. */
export const ConfigNode = Type.Object({ name: NodeName, baseUrl: BaseUrl, labels: Type.Optional(Labels), maxInflight: Type.Optional(MaxInflight), gpu: Type.Optional(Gpu) }, { additionalProperties: false })
export type ConfigNode = Static<typeof ConfigNode>

export const CreateNodeBody = Type.Object({
  name: NodeName,
  baseUrl: BaseUrl,
  labels: Type.Optional(Labels),
  maxInflight: Type.Optional(MaxInflight),
  gpu: Type.Optional(Gpu),
  agentKey: Type.Optional(Type.Boolean())
}, { additionalProperties: false })
export type CreateNodeBody = Static<typeof CreateNodeBody>

export const TestNodeBody = Type.Object({ baseUrl: BaseUrl }, { additionalProperties: false })
export const TestNodeReply = Type.Object({
  ok: Type.Literal(true),
  version: Str(100),
  models: Type.Array(Type.Object({ name: Str(200), sizeMb: Type.Integer() }, { additionalProperties: false })),
  latencyMs: Type.Integer()
}, { additionalProperties: false })

export const PatchNodeBody = Type.Object({
  labels: Type.Optional(Labels),
  maxInflight: Type.Optional(MaxInflight),
  enabled: Type.Optional(Type.Boolean()),
  draining: Type.Optional(Type.Boolean())
}, { additionalProperties: false, minProperties: 1 })
export type PatchNodeBody = Static<typeof PatchNodeBody>

export const HeartbeatBody = Type.Object({
  memoryUsedMb: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000_000 })),
  utilizationPct: Type.Optional(Type.Number({ minimum: 0, maximum: 100 })),
  temperatureC: Type.Optional(Type.Number({ minimum: -50, maximum: 200 })),
  busy: Type.Optional(Type.Boolean())
}, { additionalProperties: false })
export type HeartbeatBody = Static<typeof HeartbeatBody>

export const ModelBody = Type.Object({ model: ModelName }, { additionalProperties: false })
export const ModelAccepted = Type.Object({ nodeId: Id, model: Str(200), status: Type.Literal('started') }, { additionalProperties: false })
export const NodeParams = Type.Object({ id: Id }, { additionalProperties: false })
export const NodeListQuery = PageQuery

export const NodeView = Type.Object({
  id: Id,
  name: Str(100),
  baseUrl: Str(2048),
  labels: Type.Record(Type.String(), Type.String()),
  gpu: Nullable(Type.Object({ count: Type.Integer(), type: Type.String(), memoryMb: Type.Integer() })),
  maxInflight: Type.Integer(),
  enabled: Type.Boolean(),
  draining: Type.Boolean(),
  busy: Type.Boolean(),
  status: NodeStatus,
  breaker: Breaker,
  inflight: Type.Integer(),
  errorRate: Type.Number(),
  memoryUsedMb: Nullable(Type.Integer()),
  lastSeenAt: Nullable(IsoDateTime),
  lastProbeAt: Nullable(IsoDateTime),
  probeMs: Nullable(Type.Integer()),
  registeredAt: IsoDateTime,
  source: Type.Union([Type.Literal('api'), Type.Literal('config')]),
  agentKey: Type.Boolean(),
  models: Type.Array(Type.Object({
    name: Type.String(),
    sizeMb: Type.Integer(),
    loaded: Type.Boolean(),
    expiresAt: Nullable(Type.String()),
    tokPerSec: Nullable(Type.Number())
  }, { additionalProperties: false }))
}, { additionalProperties: false })
export type NodeView = Static<typeof NodeView>

/** The reply of POST /nodes: the node, plus its agent's key when one was asked for (shown once). */
export const CreatedNode = Type.Object({
  ...NodeView.properties,
  agent: Type.Optional(Type.Object({ keyId: Str(12), key: Str(80) }, { additionalProperties: false }))
}, { additionalProperties: false })
export const NodePage = Page(NodeView)
