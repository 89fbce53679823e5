// The mesh's coded refusals (SPEC §7.2). Those that say "try later" (429, 503) carry `retryAfterS` and the
// matching Retry-After header: the kit's handler sends the header, and the model endpoints (which answer in
// Ollama's or OpenAI's own error form) read `retryAfterS`.
import { createError, RobbieError } from '@robbie/service-kit'

export class AdmissionRefused extends RobbieError {
  constructor (code: string, message: string, statusCode: number, readonly retryAfterS: number) {
    super(code, message, statusCode, undefined, { 'retry-after': String(retryAfterS) })
  }
}

export const RateLimited = (retryAfterS: number) =>
  new AdmissionRefused('GPU_COORDINATOR_RATE_LIMITED', 'Too many of your model calls are already waiting', 429, retryAfterS)
export const QueueFull = (retryAfterS: number) =>
  new AdmissionRefused('GPU_COORDINATOR_QUEUE_FULL', 'The model queue is full', 503, retryAfterS)
export const QueueTimeout = (retryAfterS: number, waitedS: number) =>
  new AdmissionRefused('GPU_COORDINATOR_QUEUE_TIMEOUT', `No GPU slot became free within ${waitedS} s`, 503, retryAfterS)
export const NoNodes = (retryAfterS: number, message = 'No GPU node is connected') =>
  new AdmissionRefused('GPU_COORDINATOR_NO_NODES', message, 503, retryAfterS)
export const ModelNotFound = createError('GPU_COORDINATOR_MODEL_NOT_FOUND', "No node has the model '%s'", 404)
