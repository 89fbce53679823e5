// Payloads of the events gpu-coordinator produces (SPEC §12): ids and small facts about GPU nodes.
import { Type, type Static } from 'typebox'
import { Id, Str } from '../primitives.js'

const NodeStatus = Type.Union([Type.Literal('healthy'), Type.Literal('degraded'), Type.Literal('busy'), Type.Literal('unhealthy'), Type.Literal('offline'), Type.Literal('draining'), Type.Literal('disabled')])

export const NodeRegisteredV1 = Type.Object({ nodeId: Id, name: Str(100, 1) })
export type NodeRegisteredV1 = Static<typeof NodeRegisteredV1>

export const NodeRemovedV1 = Type.Object({ nodeId: Id })
export type NodeRemovedV1 = Static<typeof NodeRemovedV1>

export const NodeStatusChangedV1 = Type.Object({ nodeId: Id, name: Str(100, 1), from: NodeStatus, to: NodeStatus })
export type NodeStatusChangedV1 = Static<typeof NodeStatusChangedV1>
