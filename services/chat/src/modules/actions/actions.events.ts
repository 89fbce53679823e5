// The action events of SPEC §12, written through the outbox in the change's own transaction. Ids and small facts
// only: never the arguments (a draft's body is the owner's alone).
import type { NewEvent } from '@robbie/bus'
import { specOf } from '../tools/tools.specs.js'
import type { ActionRow } from './actions.repository.js'

export type Decision = 'approved' | 'rejected' | 'undone' | 'expired'

const base = (a: ActionRow) => ({
  subject: { type: 'action', id: a.id },
  // actions of owner-only tools hold owner-private drafts and proposals (SPEC §1.2 rule 5)
  visibility: specOf(a.tool)?.ownerOnly ? 'owner' as const : 'private' as const,
  taint: a.taint,
  ...(a.traceId ? { traceId: a.traceId } : {})
})

export const actionProposed = (a: ActionRow): NewEvent => ({
  ...base(a),
  type: 'chat.action.proposed.v1',
  actor: { type: 'user', id: a.requesterId },
  data: { actionId: a.id, tool: a.tool, class: a.class, requesterId: a.requesterId, taint: a.taint }
})

export const actionDecided = (a: ActionRow, decision: Decision, by: string | null): NewEvent => ({
  ...base(a),
  type: 'chat.action.decided.v1',
  actor: by ? { type: 'user', id: by } : { type: 'system', id: 'chat' },
  data: { actionId: a.id, decision, by: by ?? 'system' }
})

export const actionExecuted = (a: ActionRow, outcome: 'done' | 'failed'): NewEvent => ({
  ...base(a),
  type: 'chat.action.executed.v1',
  actor: { type: 'service', id: 'svc:chat' },
  data: { actionId: a.id, outcome }
})
