// The one error handler and the not-found handler (SPEC §0.2). Every failure leaves here as the same body;
// a 5xx says only that something failed, never how (no stack, SQL, upstream body or internal message).
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify'
import FindMyWay from 'find-my-way'
import { mapDbError } from '@robbie/db'
import { genericError, RobbieError, type ErrorDetail } from './errors.js'

const REDIS_DOWN = /Connection is closed|enableOfflineQueue|Reached the max retries per request|ECONNREFUSED|connect ETIMEDOUT|MaxRetriesPerRequest/

export function toRobbieError (service: string, err: FastifyError | Error): RobbieError {
  if (err instanceof RobbieError) return err
  const e = err as FastifyError & { validation?: Array<{ instancePath?: string, keyword?: string, params?: Record<string, unknown>, message?: string }>, validationContext?: string }
  if (e.validation) {
    const details: ErrorDetail[] = e.validation.slice(0, 50).map((v) => ({
      path: `${e.validationContext ?? 'body'}${v.instancePath ?? ''}${v.params?.missingProperty ? `/${String(v.params.missingProperty)}` : ''}${v.params?.additionalProperty ? `/${String(v.params.additionalProperty)}` : ''}`,
      rule: v.keyword ?? 'invalid'
    }))
    return genericError(service, 'VALIDATION_FAILED', 'The request is not valid', { details })
  }
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE': return genericError(service, 'PAYLOAD_TOO_LARGE', 'The request body is too large')
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH': return genericError(service, 'UNSUPPORTED_MEDIA_TYPE', 'Only application/json bodies are accepted')
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return genericError(service, 'VALIDATION_FAILED', 'The body is not valid JSON', { details: [{ path: 'body', rule: 'json' }] })
  }
  // JSON.parse's SyntaxError and secure-json-parse's prototype-poisoning refusals arrive as plain 400s
  if (e.statusCode === 400 && (err instanceof SyntaxError || /prototype|constructor|JSON/i.test(e.message))) {
    return genericError(service, 'VALIDATION_FAILED', 'The body is not valid JSON or uses a forbidden key', { details: [{ path: 'body', rule: 'json' }] })
  }
  if (e.statusCode === 429) return genericError(service, 'RATE_LIMITED', 'Too many requests')
  const db = mapDbError(err)
  if (db?.kind === 'CONFLICT') return genericError(service, 'CONFLICT', db.message)
  if (db?.kind === 'UNAVAILABLE' || REDIS_DOWN.test(e.message ?? '')) {
    return genericError(service, 'UNAVAILABLE', 'A dependency is unavailable; try again shortly', { headers: { 'retry-after': '5' } })
  }
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    // Fastify's own client errors (e.g. a bad URL): keep the status, name it generically
    return new RobbieError(genericError(service, 'VALIDATION_FAILED', '').code, 'The request is not valid', e.statusCode)
  }
  return genericError(service, 'INTERNAL', 'Something went wrong on our side')
}

export function errorBody (err: RobbieError, requestId: string) {
  return { error: { code: err.code, message: err.message, requestId, ...(err.details ? { details: err.details } : {}) } }
}

export function installErrorHandling (app: FastifyInstance, service: string, opts: {
  /** called for every 403 before it is sent (the kit audits them, SPEC §2.4); must not throw */
  onForbidden?: (request: FastifyRequest, err: RobbieError) => Promise<void>
  /** runs before the not-found handler (rate limits cover it too, SPEC §0.5) */
  notFoundOnRequest?: onRequestHookHandler
} = {}): void {
  app.setErrorHandler(async (err: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const coded = toRobbieError(service, err)
    // a dependency that is down (503) is degraded-but-coping: warn with the cause, no stack (CONVENTIONS §6)
    if (coded.statusCode === 503) request.log.warn({ code: coded.code, cause: err.message }, 'dependency unavailable')
    else if (coded.statusCode >= 500) request.log.error({ err }, 'request failed')
    else request.log.info({ code: coded.code }, 'request refused')
    if (coded.statusCode === 403 && opts.onForbidden) await opts.onForbidden(request, coded)
    if (coded.headers) void reply.headers(coded.headers)
    return reply.code(coded.statusCode).send(errorBody(coded, request.id))
  })

  // A path that exists with other methods answers 405 with Allow; anything else 404 (SPEC §0.1).
  const known = FindMyWay()
  const methodsByPath = new Map<string, Set<string>>()
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method]
    let set = methodsByPath.get(route.url)
    if (!set) {
      set = new Set()
      methodsByPath.set(route.url, set)
      known.on('GET', route.url, () => {}, { path: route.url })
    }
    for (const m of methods) set.add(m)
  })
  app.setNotFoundHandler({ ...(opts.notFoundOnRequest ? { preHandler: opts.notFoundOnRequest as never } : {}) }, (request, reply) => {
    const found = known.find('GET', request.url.split('?')[0] ?? '/')
    const allowed = found ? methodsByPath.get((found.store as { path: string }).path) : undefined
    if (allowed && allowed.size > 0) {
      const allow = [...allowed].filter((m) => m !== 'HEAD').join(', ')
      return reply.code(405).header('allow', allow).send(errorBody(genericError(service, 'METHOD_NOT_ALLOWED', `Use ${allow} on this path`), request.id))
    }
    return reply.code(404).send(errorBody(genericError(service, 'NOT_FOUND', 'No such route'), request.id))
  })
}
