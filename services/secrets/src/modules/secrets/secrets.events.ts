// The events this module emits through the outbox, in the write's own transaction (SPEC §12). Ids and
// small facts only: never a value, a DEK or a key.
import type { NewEvent } from '@robbie/bus'
import type { SecretRow } from './secrets.repository.js'

const visibility = (s: SecretRow) => (s.visibility === 'owner' ? 'owner' as const : 'company' as const)

export const secretUpdated = (s: SecretRow, traceId?: string): NewEvent => ({
  type: 'secrets.secret.updated.v1',
  subject: { type: 'secret', id: s.id },
  visibility: visibility(s),
  ...(traceId ? { traceId } : {}),
  data: { secretId: s.id, service: s.service, name: s.name, scope: s.scope, scopeId: s.scopeId, version: s.version, managed: s.managed }
})

export const secretDeleted = (s: SecretRow, traceId?: string): NewEvent => ({
  type: 'secrets.secret.deleted.v1',
  subject: { type: 'secret', id: s.id },
  visibility: visibility(s),
  ...(traceId ? { traceId } : {}),
  data: { secretId: s.id }
})

export const masterKeyRotated = (keyId: string, rewrapped: number): NewEvent => ({
  type: 'secrets.masterkey.rotated.v1',
  subject: { type: 'master-key', id: keyId },
  data: { keyId, rewrapped }
})
