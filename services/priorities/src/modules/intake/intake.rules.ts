// Pure rules of the intake (SPEC §4.8, §9): priorities and titles derived from event payloads.
export type Priority = 'low' | 'medium' | 'high' | 'critical'
const DAY_MS = 86_400_000

/** Secret rotation and key expiry: overdue → critical, due within 7 days → high, else medium. */
export function dueDatePriority (dueAt: string, now: Date): Priority {
  const ms = Date.parse(dueAt) - now.getTime()
  if (ms < 0) return 'critical'
  return ms <= 7 * DAY_MS ? 'high' : 'medium'
}

/** SPEC §9's severity table (secret-scanning alerts are always critical). */
export function alertPriority (kind: string, severity: string): Priority {
  if (kind === 'secret_scanning') return 'critical'
  switch (severity) {
    case 'critical': return 'critical'
    case 'high': case 'error': return 'high'
    case 'medium': case 'moderate': case 'warning': return 'medium'
    default: return 'low'
  }
}

export function alertTitle (kind: string, summary: string): string {
  const prefix = kind === 'dependabot' ? 'Security' : kind === 'code_scanning' ? 'Code scanning' : 'Leaked secret'
  return `${prefix}: ${summary}`
}

/** Meeting action items: high if due within a day, else medium (SPEC §4.8). */
export function actionItemPriority (dueAt: string | null | undefined, now: Date): Priority {
  if (!dueAt) return 'medium'
  return Date.parse(dueAt) - now.getTime() <= DAY_MS ? 'high' : 'medium'
}

/**
 * A calendar event is a meeting item when it starts within the next 7 days (and has not ended), the owner
 * has not declined it, it is not cancelled, and at least one other person attends (SPEC §4.1).
 */
export function isMeeting (e: { start: string, end: string, status: string, myResponse: string | null, attendees: Array<{ response: string }> }, now: Date): boolean {
  const start = Date.parse(e.start)
  if (e.status === 'cancelled' || e.myResponse === 'declined') return false
  if (Date.parse(e.end) <= now.getTime() || start > now.getTime() + 7 * DAY_MS) return false
  // the owner is on the guest list when myResponse is set: then another attendee makes two
  const others = e.myResponse === null ? e.attendees.length : e.attendees.length - 1
  return others >= 1
}
