// The node events of SPEC §12, written through the outbox in the change's own transaction. Ids and the node's
// configured name only: nodes are company infrastructure, visible to everyone who may see the mesh.
import type { NewEvent } from '@robbie/bus'
import type { NodeRegisteredV1, NodeRemovedV1, NodeStatusChangedV1 } from '@robbie/contracts'

type Actor = NewEvent['actor']
const subject = (nodeId: string) => ({ type: 'node', id: nodeId })

export const nodeRegistered = (data: NodeRegisteredV1, actor?: Actor): NewEvent<NodeRegisteredV1> =>
  ({ type: 'gpu-coordinator.node.registered.v1', subject: subject(data.nodeId), data, ...(actor ? { actor } : {}) })

export const nodeRemoved = (data: NodeRemovedV1, actor?: Actor): NewEvent<NodeRemovedV1> =>
  ({ type: 'gpu-coordinator.node.removed.v1', subject: subject(data.nodeId), data, ...(actor ? { actor } : {}) })

export const nodeStatusChanged = (data: NodeStatusChangedV1): NewEvent<NodeStatusChangedV1> =>
  ({ type: 'gpu-coordinator.node.status-changed.v1', subject: subject(data.nodeId), data, actor: { type: 'system', id: 'gpu-coordinator' } })
