// SPEC §2.1's codes, verbatim.
import { createError } from '@robbie/service-kit'

export const AlreadySetUp = createError('AUTH_ALREADY_SET_UP', 'This installation already has an owner', 409)
export const BadSetupCode = createError('AUTH_BAD_SETUP_CODE', 'The setup code is not valid', 403)
