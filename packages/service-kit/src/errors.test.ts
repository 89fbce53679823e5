import { describe, expect, it } from 'vitest'
import { createError, genericError, RobbieError } from './errors.js'
import { toRobbieError } from './error-handler.js'

describe('coded errors', () => {
  it('formats the message and keeps code and status', () => {
    const SecretNotFound = createError('SECRETS_NOT_FOUND', "Secret '%s' not found", 404)
    const err = new SecretNotFound('abc')
    expect(err).toBeInstanceOf(RobbieError)
    expect([err.code, err.statusCode, err.message]).toEqual(['SECRETS_NOT_FOUND', 404, "Secret 'abc' not found"])
  })

  it('names generic codes after the service', () => {
    expect(genericError('integration-sync', 'RATE_LIMITED', 'slow down').code).toBe('INTEGRATION_SYNC_RATE_LIMITED')
  })

  it('never lets an internal message through', () => {
    const raw = Object.assign(new Error('relation "auth.users" does not exist at character 15'), { code: '42P01' })
    const mapped = toRobbieError('auth', raw)
    expect(mapped.statusCode).toBe(500)
    expect(mapped.code).toBe('AUTH_INTERNAL')
    expect(mapped.message).not.toContain('auth.users')
  })

  it('maps a unique violation to a conflict and a dead database to 503', () => {
    expect(toRobbieError('chat', Object.assign(new Error('duplicate key value violates unique constraint "x_pkey"'), { code: '23505' })).code).toBe('CHAT_CONFLICT')
    const down = toRobbieError('chat', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))
    expect([down.code, down.statusCode, down.headers?.['retry-after']]).toEqual(['CHAT_UNAVAILABLE', 503, '5'])
  })
})
