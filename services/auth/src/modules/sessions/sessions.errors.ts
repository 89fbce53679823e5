// SPEC §2.1's codes, verbatim.
import { createError } from '@robbie/service-kit'

export const InvalidCredentials = createError('AUTH_INVALID_CREDENTIALS', 'The email or password is not correct', 401)
export const AccountLocked = createError('AUTH_ACCOUNT_LOCKED', 'Too many failed logins: this account is locked for a while', 423)
export const AccountDisabled = createError('AUTH_ACCOUNT_DISABLED', 'This account is disabled', 403)
export const RefreshInvalid = createError('AUTH_REFRESH_INVALID', 'The session is not valid: log in again', 401)
export const RefreshReused = createError('AUTH_REFRESH_REUSED', 'This refresh token was already used: the session is revoked, log in again', 401)
