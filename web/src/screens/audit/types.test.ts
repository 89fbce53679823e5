// The audit filters as a query (SPEC §2.4): blanks dropped, local date-times turned into ISO instants.
import { expect, test } from 'vitest'
import { filterQuery, NO_FILTERS } from './types.js'

test('only filled filters are sent, trimmed, with times as ISO-8601 UTC', () => {
  const q = filterQuery({ ...NO_FILTERS, action: ' secrets.reveal ', outcome: 'denied', from: '2025-01-06T09:00' })
  expect(Object.keys(q).sort()).toEqual(['action', 'from', 'outcome'])
  expect(q.action).toBe('secrets.reveal')
  expect(q.from).toBe(new Date('2025-01-06T09:00').toISOString())
  expect(filterQuery(NO_FILTERS)).toEqual({})
})
