// Relative times and day counts, as the badges and tables show them.
import { expect, test } from 'vitest'
import { daysUntil, relative } from './format.js'
import { qs } from './api.js'

const now = Date.parse('2025-01-06T09:00:00.000Z')

test('relative() picks the largest whole unit, past and future', () => {
  expect(relative('2025-01-06T08:57:00.000Z', now)).toBe('3 minutes ago')
  expect(relative('2025-01-08T09:00:00.000Z', now)).toBe('in 2 days')
  expect(relative(null, now)).toBe('—')
})

test('daysUntil() rounds up, so "expires in 1 d" means within the next day', () => {
  expect(daysUntil('2025-01-06T10:00:00.000Z', now)).toBe(1)
  expect(daysUntil('2025-01-20T09:00:00.000Z', now)).toBe(14)
  expect(daysUntil('2025-01-05T09:00:00.000Z', now)).toBe(-1)
})

test('qs() keeps only defined, non-empty values and encodes them', () => {
  expect(qs({ limit: 50, cursor: null, service: '', q: 'a b&c', includeDeleted: true })).toBe('?limit=50&q=a+b%26c&includeDeleted=true')
  expect(qs({ cursor: undefined })).toBe('')
})
