import { describe, expect, it } from 'vitest'
import { buildEnvelope, InvalidEventError } from './envelope.js'
import { busKeys, fieldsToObject } from './redis.js'
import { errorMessage } from './waker.js'

describe('buildEnvelope', () => {
  const event = { type: 'priorities.task.created.v1', subject: { type: 'task', id: 't1' }, data: { n: 1 } }

  it('fills the SPEC §0.4 defaults', () => {
    const now = new Date('2026-01-02T03:04:05.000Z')
    const env = buildEnvelope('priorities', event, now)
    expect(env).toMatchObject({
      type: event.type,
      producer: 'priorities',
      occurredAt: '2026-01-02T03:04:05.000Z',
      subject: event.subject,
      visibility: 'company',
      taint: false,
      data: { n: 1 }
    })
    expect(env.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    expect(env.traceId).toBe(env.id)
    expect('actor' in env).toBe(false)
  })

  it('keeps given values', () => {
    const env = buildEnvelope('priorities', { ...event, visibility: 'owner', taint: true, traceId: 'tr', actor: { type: 'user', id: 'u' } })
    expect(env).toMatchObject({ visibility: 'owner', taint: true, traceId: 'tr', actor: { type: 'user', id: 'u' } })
  })

  it('refuses bad names and foreign producers', () => {
    for (const type of ['priorities.task.v1', 'priorities.Task.created.v1', 'priorities.task.created.v0', 'priorities.a.b.c.d.v1']) {
      expect(() => buildEnvelope('priorities', { ...event, type })).toThrow(InvalidEventError)
    }
    expect(() => buildEnvelope('chat', event)).toThrow('does not belong')
    expect(buildEnvelope('integration-sync', { ...event, type: 'integration-sync.transcript.action-item.found.v1' }).type)
      .toBe('integration-sync.transcript.action-item.found.v1')
  })
})

describe('helpers', () => {
  it('names keys under the prefix and maps stream fields', () => {
    expect(busKeys('p:').stream('chat')).toBe('p:events:chat')
    expect(fieldsToObject(['a', '1', 'b', '2'])).toEqual({ a: '1', b: '2' })
  })

  it('reduces errors to one bounded line without a stack', () => {
    const err = new Error('first line\nsecond line')
    expect(errorMessage(err)).toBe('Error: first line')
    expect(errorMessage('x'.repeat(1000), 10)).toHaveLength(10)
  })
})
