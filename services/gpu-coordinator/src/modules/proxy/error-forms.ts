// SPEC §0.2's written exceptions: the Ollama-compatible endpoints answer `{"error": "<CODE>: <message>"}` (the
// `ollama` client throws `error` as the message, also mid-stream; an object would reach the user as
// "[object Object]"), the OpenAI-compatible ones OpenAI's `{error: {message, type, code}}` with our code in
// `code`. Each form is the error handler of its own encapsulated plugin, so the kit's hooks (auth, rate limits,
// body parsing) answer in it too; everything else about the kit's handler is kept: codes, logging, the audit of
// refusals, Retry-After.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { toRobbieError, type RobbieError } from '@robbie/service-kit'

export type ErrorForm = 'ollama' | 'openai'

const SERVICE = 'gpu-coordinator'

function text (err: Pick<RobbieError, 'message' | 'details'>): string {
  if (!err.details || err.details.length === 0) return err.message
  return `${err.message} (${err.details.slice(0, 5).map((d) => `${d.path}: ${d.rule}`).join(', ')})`
}

export const ollamaError = (err: Pick<RobbieError, 'code' | 'message' | 'details'>) => ({ error: `${err.code}: ${text(err)}` })

const OPENAI_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'invalid_request_error',
  415: 'invalid_request_error',
  429: 'rate_limit_error'
}
export const openAiError = (err: Pick<RobbieError, 'code' | 'message' | 'details' | 'statusCode'>) =>
  ({ error: { message: text(err), type: OPENAI_TYPES[err.statusCode] ?? 'api_error', code: err.code } })

export const errorBodyIn = (form: ErrorForm, err: RobbieError) => form === 'ollama' ? ollamaError(err) : openAiError(err)

/** The line that ends a broken NDJSON stream: an error, and never `done: true`. */
export const ndjsonErrorLine = (err: Pick<RobbieError, 'code' | 'message'>) => `${JSON.stringify(ollamaError(err))}\n`

/** The event that ends a broken SSE stream: an `error` event, and never `[DONE]`. */
export const sseErrorEvent = (err: Pick<RobbieError, 'code' | 'message' | 'statusCode'>) =>
  `event: error\ndata: ${JSON.stringify(openAiError(err))}\n\n`

export function installErrorForm (app: FastifyInstance, form: ErrorForm): void {
  app.setErrorHandler(async (err: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const coded = toRobbieError(SERVICE, err)
    if (coded.statusCode === 503) request.log.warn({ code: coded.code, cause: err.message }, 'dependency unavailable')
    else if (coded.statusCode >= 500) request.log.error({ err }, 'request failed')
    else request.log.info({ code: coded.code }, 'request refused')
    if (coded.statusCode === 403) {
      // the kit audits every refusal (SPEC §2.4); this handler replaces the kit's for these routes only
      await app.audit.recordAlone({ action: 'access.denied', outcome: 'denied', resourceType: 'route', resourceId: `${request.method} ${request.routeOptions.url ?? ''}`, details: { code: coded.code } }, request)
        .catch((e: unknown) => { request.log.error({ err: e }, 'audit of a refusal failed') })
    }
    if (coded.headers) void reply.headers(coded.headers)
    return reply.code(coded.statusCode).send(errorBodyIn(form, coded))
  })
}
