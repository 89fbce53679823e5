// The model endpoints' own codes (SPEC §7.2, §7.3). The mesh's admission refusals live in mesh.errors.ts.
import { createError, RobbieError } from '@robbie/service-kit'

export const UnsupportedEndpoint = createError('GPU_COORDINATOR_UNSUPPORTED_ENDPOINT', "The coordinator does not serve '%s'", 404)
/** Every node tried failed before its first byte (at most two failovers). */
export const NodeFailed = createError('GPU_COORDINATOR_NODE_FAILED', 'No node could answer: %s', 502)
/** A non-streamed answer broke off after the node had started it. */
export const NodeLost = createError('GPU_COORDINATOR_NODE_LOST', 'The node stopped answering: %s', 502)
export const RequestTimeout = createError('GPU_COORDINATOR_TIMEOUT', 'The model call took longer than %s s', 504)
export const ModelNotFoundOnNode = createError('GPU_COORDINATOR_MODEL_NOT_FOUND', 'The node does not have the model: %s', 404)
export const InvalidLabels = createError('GPU_COORDINATOR_VALIDATION_FAILED', 'X-Robbie-Require-Labels must be k=v pairs separated by commas (at most 16)', 400)

/** The node refused the request itself (a 4xx): its status and its message, which are about the caller's input. */
export class NodeRejected extends RobbieError {
  constructor (status: number, message: string) {
    super('GPU_COORDINATOR_NODE_REJECTED', `The node refused the request: ${message}`, status)
  }
}

export class QuotaExceeded extends RobbieError {
  constructor (limitS: number, readonly retryAfterS: number) {
    super('GPU_COORDINATOR_QUOTA_EXCEEDED', `Your ${limitS} GPU-seconds for today are used up`, 429, undefined, { 'retry-after': String(retryAfterS) })
  }
}
