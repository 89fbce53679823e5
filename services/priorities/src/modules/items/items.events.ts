// The task events this module emits through the outbox, in the write's own transaction (SPEC §12). Ids and small
// facts only; the title travels only for company items (a private or owner title is not everyone's to read).
import type { NewEvent } from '@robbie/bus'
import type { ItemRow } from './items.repository.js'

export type TaskVerb = 'created' | 'updated' | 'completed' | 'deleted'

export const itemEventData = (i: ItemRow) => ({
  itemId: i.id,
  kind: i.kind,
  ...(i.task ? { number: i.task.number } : {}),
  quadrant: i.quadrant,
  domain: i.domainOverride ?? i.domain,
  assigneeUserId: i.assigneeUserId,
  visibility: i.visibility,
  version: i.version,
  ...(i.visibility === 'company' ? { title: i.title } : {})
})

type Actor = { type: 'user' | 'service' | 'system', id: string }

/** Any `priorities.<entity>.<verb>.v1` about one item, with the shared payload of SPEC §12. */
export const itemEvent = (entity: 'task' | 'item', verb: string, i: ItemRow, actor?: Actor): NewEvent => ({
  type: `priorities.${entity}.${verb}.v1`,
  subject: { type: entity, id: i.id },
  visibility: i.visibility,
  taint: i.taint,
  ...(actor ? { actor } : {}),
  data: itemEventData(i)
})

export const taskEvent = (verb: TaskVerb | 'escalated', i: ItemRow, actor?: Actor): NewEvent => itemEvent('task', verb, i, actor)
