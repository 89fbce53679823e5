import { describe, expect, it } from 'vitest'
import type { Identity } from '@robbie/contracts'
import { defaultClass, parseLabels, priorityOf } from './routing-headers.js'

const user = (role: Identity['role'], extra: Partial<Identity> = {}): Identity => ({ kind: 'user', id: 'u1', role, scopes: [], ...extra })

describe('priority classes (SPEC §7.2)', () => {
  it('defaults: a person interactive, an API key normal, a service normal', () => {
    expect(defaultClass(user('member', { sessionId: 's' }))).toBe('interactive')
    expect(defaultClass(user('member', { keyId: 'k' }))).toBe('normal')
    expect(defaultClass({ kind: 'service', id: 'svc:chat', scopes: [] })).toBe('normal')
    expect(defaultClass({ kind: 'node', id: 'node:a', scopes: [] })).toBe('batch')
  })

  it('a member may lower the class but not raise it', () => {
    const keyed = user('member', { keyId: 'k' })
    expect(priorityOf(keyed, 'batch')).toBe('batch')
    expect(priorityOf(keyed, 'interactive')).toBe('normal')
    expect(priorityOf(keyed, undefined)).toBe('normal')
  })

  it('owner, admins, services and delegated tokens of a service may raise it', () => {
    expect(priorityOf(user('owner', { keyId: 'k' }), 'interactive')).toBe('interactive')
    expect(priorityOf(user('admin', { keyId: 'k' }), 'interactive')).toBe('interactive')
    expect(priorityOf({ kind: 'service', id: 'svc:chat', scopes: [] }, 'interactive')).toBe('interactive')
    expect(priorityOf(user('member', { keyId: 'k', actor: { id: 'svc:chat' } }), 'interactive')).toBe('interactive')
    expect(priorityOf(user('member', { keyId: 'k', actor: { id: 'user:x' } }), 'interactive')).toBe('normal')
  })
})

describe('X-Robbie-Require-Labels', () => {
  it('parses k=v pairs', () => {
    expect(parseLabels('gpu=a100, zone=lab')).toEqual({ gpu: 'a100', zone: 'lab' })
    expect(parseLabels(undefined)).toBeUndefined()
  })

  it('refuses malformed or too many pairs', () => {
    expect(() => parseLabels('gpu')).toThrow(/k=v/)
    expect(() => parseLabels(',')).toThrow(/k=v/)
    expect(() => parseLabels('a=b c')).toThrow(/k=v/)
    expect(() => parseLabels(Array.from({ length: 17 }, (_, i) => `k${i}=v`).join(','))).toThrow(/at most 16/)
  })
})
