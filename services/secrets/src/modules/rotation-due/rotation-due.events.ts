// secrets.secret.rotation-due.v1 (SPEC §12): ids and dates only, never a value. Priorities turns it into a task.
import type { NewEvent } from '@robbie/bus'

// a type, not an interface: NewEvent wants a Record-compatible payload
export type RotationDue = {
  secretId: string
  service: string
  name: string
  scope: string
  dueAt: string
  reason: 'rotation' | 'expiry'
  assigneeUserId: string | null
}

export const rotationDue = (due: RotationDue, visibility: 'owner' | 'company'): NewEvent<RotationDue> => ({
  type: 'secrets.secret.rotation-due.v1',
  subject: { type: 'secret', id: due.secretId },
  actor: { type: 'system', id: 'secrets' },
  // members have no access to secrets (SPEC §5.1): the notice is the assignee's, or the owner's alone
  visibility: visibility === 'owner' ? 'owner' : 'private',
  data: due
})
