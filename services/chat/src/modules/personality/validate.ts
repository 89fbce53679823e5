// The check a route's schema makes, for callers that bypass the routes (WS frames, commands, tools with model
// arguments): CHAT_VALIDATION_FAILED listing each failing path, as the kit's handler does for a request, plus
// the kit's input hygiene (no NUL, well-formed Unicode), which Postgres needs.
import type { TSchema } from 'typebox'
import { Value } from 'typebox/value'
import { genericError, type ErrorDetail } from '@robbie/service-kit'

function hygiene (value: unknown, path: string): ErrorDetail | null {
  if (typeof value === 'string') {
    if (value.includes('\u0000')) return { path, rule: 'noNul' }
    return value.isWellFormed() ? null : { path, rule: 'wellFormedUnicode' }
  }
  if (value === null || typeof value !== 'object') return null
  for (const [k, v] of Object.entries(value)) {
    const problem = hygiene(v, `${path}/${k}`)
    if (problem) return problem
  }
  return null
}

export function assertValid (schema: TSchema, value: unknown, where = 'body'): void {
  const details: ErrorDetail[] = Value.Check(schema, value)
    ? []
    : [...Value.Errors(schema, value)].slice(0, 50).map((e) => ({ path: `${where}${e.instancePath}`, rule: e.keyword }))
  const problem = details.length === 0 ? hygiene(value, where) : null
  if (problem) details.push(problem)
  if (details.length > 0) throw genericError('chat', 'VALIDATION_FAILED', 'The request is not valid', { details })
}

/** Drops `undefined` fields, which a caller in code may pass for "not given" but JSON never carries. */
export const defined = <T extends object>(value: T): T =>
  Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T
