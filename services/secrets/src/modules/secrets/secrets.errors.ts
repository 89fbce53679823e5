// The secrets service's own codes (SPEC §5.3); the generic ones (SECRETS_NOT_FOUND, …) come from the kit's
// genericError. A stored ciphertext that fails to open is SECRETS_DECRYPT_FAILED (409: the stored state cannot be
// used as it is; retrying will not help) and never wrong plaintext.
import { createError, RobbieError } from '@robbie/service-kit'

export const SecretsSealed = class extends RobbieError {
  constructor () { super('SECRETS_SEALED', 'The secrets service is sealed: it has no usable master key', 503, undefined, { 'retry-after': '30' }) }
}
export const VersionConflict = createError('SECRETS_VERSION_CONFLICT', 'The secret is at version %s, not %s', 409)
export const Managed = createError('SECRETS_MANAGED', 'This secret is managed by an integration: it can be reconnected or deleted, not read or edited by people', 403)
export const Purged = createError('SECRETS_PURGED', 'This secret was deleted more than 30 days ago and its values are destroyed', 410)
export const VersionDestroyed = createError('SECRETS_VERSION_DESTROYED', 'Version %s of this secret is destroyed (only the newest 10 are kept)', 410)
export const DecryptFailed = createError('SECRETS_DECRYPT_FAILED', 'The stored value of this secret failed its integrity check and cannot be read', 409)
export const NotSealed = createError('SECRETS_NOT_SEALED', 'The secrets service is not sealed', 409)
export const KeyMismatch = createError('SECRETS_KEY_MISMATCH', 'That key is not the master key of this store', 422)
export const NoPreviousKey = createError('SECRETS_NO_PREVIOUS_KEY', 'Rotation needs the old key configured as the previous master key', 409)
