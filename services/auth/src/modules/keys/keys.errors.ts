// The keys module's own codes (SPEC §2.3); the generic ones come from the kit's genericError.
import { createError } from '@robbie/service-kit'

export const UnknownScope = createError('AUTH_UNKNOWN_SCOPE', 'Unknown scope: %s', 400)
export const ScopeExceedsRole = createError('AUTH_SCOPE_EXCEEDS_ROLE', 'Your role does not grant: %s', 403)
