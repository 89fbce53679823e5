// Coded errors (SPEC §0.2). Routes throw these; the one error handler (error-handler.ts) turns them
// into `{ error: { code, message, requestId, details? } }`.
import { format } from 'node:util'
import { codePrefix, GENERIC_ERRORS, type GenericError } from '@robbie/contracts'

export interface ErrorDetail { path: string, rule: string }

export class RobbieError extends Error {
  constructor (
    readonly code: string,
    message: string,
    readonly statusCode: number,
    readonly details?: ErrorDetail[],
    readonly headers?: Record<string, string>
  ) {
    super(message)
    this.name = 'RobbieError'
  }
}

/**
 * `const SecretNotFound = createError('SECRETS_NOT_FOUND', "Secret '%s' not found", 404)`, then
 * `throw new SecretNotFound(id)`. The code is the contract with clients; the message is for people.
 */
export function createError (code: string, message: string, statusCode: number) {
  return class extends RobbieError {
    static readonly code = code
    constructor (...args: unknown[]) { super(code, format(message, ...args), statusCode) }
  }
}

/** One of the generic codes, named after the service: `genericError('secrets', 'NOT_FOUND', …)`. */
export function genericError (service: string, kind: GenericError, message: string, extra: { details?: ErrorDetail[], headers?: Record<string, string> } = {}) {
  return new RobbieError(`${codePrefix(service)}_${kind}`, message, GENERIC_ERRORS[kind], extra.details, extra.headers)
}
