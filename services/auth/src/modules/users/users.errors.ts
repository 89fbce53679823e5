// SPEC §2.2's codes, verbatim.
import { createError } from '@robbie/service-kit'

export const CannotChangeOwner = createError('AUTH_CANNOT_CHANGE_OWNER', 'The owner cannot be changed here', 403)
export const InviteExpired = createError('AUTH_INVITE_EXPIRED', 'This invite has expired or was already used', 410)
