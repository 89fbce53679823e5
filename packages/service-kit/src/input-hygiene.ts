// What JSON and query strings can carry but Postgres, Redis and our schemas cannot (found by the security
// suite's fuzzing): non-finite numbers (`1e309`, `Infinity` coerced from a query string, which ajv's integer
// check lets through), NUL characters (Postgres text refuses them) and lone surrogates (jsonb refuses them).
// Each is a 400 <S>_VALIDATION_FAILED before any handler runs, never a 500.
import { isUtf8 } from 'node:buffer'
import type { FastifyInstance } from 'fastify'
import { genericError, type ErrorDetail } from './errors.js'

const MAX_DEPTH = 64

function findProblem (value: unknown, path: string, depth = 0): ErrorDetail | null {
  if (typeof value === 'string') {
    if (value.includes('\u0000')) return { path, rule: 'noNul' }
    if (!value.isWellFormed()) return { path, rule: 'wellFormedUnicode' }
    return null
  }
  if (typeof value === 'number') return Number.isFinite(value) ? null : { path, rule: 'finite' }
  if (value === null || typeof value !== 'object') return null
  if (depth >= MAX_DEPTH) return { path, rule: 'maxDepth' }
  for (const [k, v] of Object.entries(value)) {
    const keyProblem = findProblem(k, `${path}/${k}`, depth + 1)
    if (keyProblem) return keyProblem
    const problem = findProblem(v, `${path}/${k}`, depth + 1)
    if (problem) return problem
  }
  return null
}

// A query value that names a number too large to be one (coercion would make it Infinity)
const NON_FINITE_QUERY = /^\s*[+-]?(infinity|nan|\d*\.?\d+e[+-]?\d{3,})\s*$/i

export function installInputHygiene (app: FastifyInstance, service: string): void {
  // Bodies are parsed as JSON only after their bytes are checked to be UTF-8: a malformed sequence would
  // otherwise be replaced silently (U+FFFD) and stored as something the client never sent.
  const parseJson = app.getDefaultJsonParser('error', 'error')
  app.removeContentTypeParser('application/json')
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    if (!isUtf8(body as Buffer)) {
      done(genericError(service, 'VALIDATION_FAILED', 'The body is not valid UTF-8', { details: [{ path: 'body', rule: 'utf8' }] }), undefined)
      return
    }
    void parseJson(request, (body as Buffer).toString('utf8'), done)
  })

  app.addHook('preValidation', async (request) => {
    for (const [where, value] of [['querystring', request.query], ['params', request.params], ['body', request.body]] as const) {
      if (where !== 'body' && value && typeof value === 'object') {
        for (const [k, v] of Object.entries(value)) {
          if (typeof v === 'string' && NON_FINITE_QUERY.test(v)) {
            throw genericError(service, 'VALIDATION_FAILED', 'The request is not valid', { details: [{ path: `${where}/${k}`, rule: 'finite' }] })
          }
        }
      }
      const problem = findProblem(value, where)
      if (problem) throw genericError(service, 'VALIDATION_FAILED', 'The request is not valid', { details: [problem] })
    }
  })
}
