// Personality's own code (SPEC §3.3); the generic ones (CHAT_VALIDATION_FAILED, CHAT_RATE_LIMITED) come from the
// kit's genericError.
import { createError } from '@robbie/service-kit'

export const UnknownPreset = createError('CHAT_UNKNOWN_PRESET', "There is no preset '%s'", 400)
