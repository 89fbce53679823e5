// SPEC §0.2: the one error body, and the generic codes every service has under its own prefix.
import { Type } from 'typebox'

export const ErrorDetail = Type.Object({ path: Type.String(), rule: Type.String() })
export const ErrorBody = Type.Object({
  error: Type.Object({
    code: Type.String(),
    message: Type.String(),
    requestId: Type.String(),
    details: Type.Optional(Type.Array(ErrorDetail))
  })
})

export const GENERIC_ERRORS = {
  VALIDATION_FAILED: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  CONFLICT: 409,
  IDEMPOTENCY_IN_PROGRESS: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  IDEMPOTENCY_MISMATCH: 422,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  UNAVAILABLE: 503
} as const
export type GenericError = keyof typeof GENERIC_ERRORS

/** `integration-sync` → `INTEGRATION_SYNC`: the prefix of a service's error codes. */
export const codePrefix = (service: string) => service.replaceAll('-', '_').toUpperCase()
