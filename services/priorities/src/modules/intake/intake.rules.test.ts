import { describe, expect, it } from 'vitest'
import { actionItemPriority, alertPriority, alertTitle, dueDatePriority, isMeeting } from './intake.rules.js'

const now = new Date('2026-11-26T12:00:00Z')
const inH = (h: number) => new Date(now.getTime() + h * 3_600_000).toISOString()

describe('intake rules', () => {
  it('ranks rotation and expiry by the due date', () => {
    expect(dueDatePriority(inH(-1), now)).toBe('critical')
    expect(dueDatePriority(inH(24 * 7), now)).toBe('high')
    expect(dueDatePriority(inH(24 * 7 + 1), now)).toBe('medium')
  })
  it('maps GitHub severities as SPEC §9 does', () => {
    expect([alertPriority('dependabot', 'critical'), alertPriority('code_scanning', 'error'), alertPriority('dependabot', 'moderate'),
      alertPriority('code_scanning', 'note'), alertPriority('secret_scanning', 'low')]).toEqual(['critical', 'high', 'medium', 'low', 'critical'])
    expect(alertTitle('code_scanning', 'sql-injection in acme/api')).toBe('Code scanning: sql-injection in acme/api')
  })
  it('makes action items due within a day high priority', () => {
    expect([actionItemPriority(inH(24), now), actionItemPriority(inH(25), now), actionItemPriority(undefined, now)]).toEqual(['high', 'medium', 'medium'])
  })
  it('keeps only meetings of the next 7 days with another attendee, not declined or cancelled', () => {
    const e = { start: inH(2), end: inH(3), status: 'confirmed', myResponse: 'accepted', attendees: [{ response: 'accepted' }, { response: 'needsAction' }] }
    expect(isMeeting(e, now)).toBe(true)
    expect(isMeeting({ ...e, attendees: [{ response: 'accepted' }] }, now)).toBe(false)
    expect(isMeeting({ ...e, myResponse: 'declined' }, now)).toBe(false)
    expect(isMeeting({ ...e, status: 'cancelled' }, now)).toBe(false)
    expect(isMeeting({ ...e, start: inH(24 * 8), end: inH(24 * 8 + 1) }, now)).toBe(false)
    expect(isMeeting({ ...e, start: inH(-2), end: inH(-1) }, now)).toBe(false)
  })
})
