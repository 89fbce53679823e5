// Events of the keys module (SPEC §12), written through the outbox in the change's transaction.
import type { NewEvent } from '@robbie/bus'

export const apiKeyCreated = (keyId: string, userId: string, actorId: string): NewEvent<{ keyId: string, userId: string }> => ({
  type: 'auth.apikey.created.v1',
  subject: { type: 'api_key', id: keyId },
  actor: { type: 'user', id: actorId },
  visibility: 'private',
  data: { keyId, userId }
})

export const apiKeyRevoked = (keyId: string, actor: { type: 'user' | 'service' | 'system', id: string }): NewEvent<{ keyId: string }> => ({
  type: 'auth.apikey.revoked.v1',
  subject: { type: 'api_key', id: keyId },
  actor,
  visibility: 'private',
  data: { keyId }
})

export const apiKeyExpiring = (key: { keyId: string, userId: string, name: string, expiresAt: string }): NewEvent<typeof key> => ({
  type: 'auth.apikey.expiring.v1',
  subject: { type: 'api_key', id: key.keyId },
  actor: { type: 'system', id: 'auth' },
  visibility: 'private',
  data: key
})
