import { describe, expect, it } from 'vitest'
import { knownZone, parseDue, resolveDue } from './due.js'

// Wednesday 2025-03-05 10:00 UTC = 11:00 in Berlin, 05:00 in New York
const now = new Date('2025-03-05T10:00:00Z')
const due = (text: string, tz: string, at = now) => resolveDue(parseDue(text)!, at, tz).toISOString()

describe('parseDue', () => {
  it.each(['today', 'tomorrow', 'mon', 'Friday', 'thu', 'thurs', '+3d', '+0d', '2025-12-31', '2024-02-29'])('accepts %s', (v) => {
    expect(parseDue(v)).not.toBeNull()
  })
  it.each(['yesterday', 'fr', 'fridays', 'monx', '+3', '3d', '+99999d', '2025-02-30', '2025-13-01', '25-01-01', '', 'next week'])('refuses %s', (v) => {
    expect(parseDue(v)).toBeNull()
  })
})

describe('resolveDue', () => {
  it('is the end of the day in the company time zone', () => {
    expect(due('today', 'Europe/Berlin')).toBe('2025-03-05T22:59:00.000Z')
    expect(due('today', 'America/New_York')).toBe('2025-03-06T04:59:00.000Z')
    expect(due('tomorrow', 'UTC')).toBe('2025-03-06T23:59:00.000Z')
    expect(due('2025-03-20', 'Asia/Tokyo')).toBe('2025-03-20T14:59:00.000Z')
  })

  it('a weekday is the next such day after today', () => {
    expect(due('fri', 'UTC')).toBe('2025-03-07T23:59:00.000Z')
    expect(due('wed', 'UTC')).toBe('2025-03-12T23:59:00.000Z') // today is Wednesday: next week's
    expect(due('mon', 'UTC')).toBe('2025-03-10T23:59:00.000Z')
  })

  it('the local day decides, not the UTC one', () => {
    // 2025-03-05 23:30 in New York is already Thursday in UTC
    const late = new Date('2025-03-06T04:30:00Z')
    expect(due('today', 'America/New_York', late)).toBe('2025-03-06T04:59:00.000Z')
    expect(due('thu', 'America/New_York', late)).toBe('2025-03-07T04:59:00.000Z')
  })

  it('+Nd counts days, across a DST change', () => {
    expect(due('+3d', 'UTC')).toBe('2025-03-08T23:59:00.000Z')
    // New York moves to EDT (UTC-4) on 2025-03-09
    expect(due('+5d', 'America/New_York')).toBe('2025-03-11T03:59:00.000Z')
  })

  it('an unknown time zone falls back to UTC', () => {
    expect(knownZone('Mars/Olympus')).toBe('UTC')
    expect(knownZone('Europe/Berlin')).toBe('Europe/Berlin')
    expect(knownZone(undefined)).toBe('UTC')
  })
})
