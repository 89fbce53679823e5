// `due:` in `/task add` (SPEC §3.6): YYYY-MM-DD, today, tomorrow, mon…sun (the next such day after today) or +Nd,
// read as a day in the company's time zone. A task due on a day is due at the end of it (23:59 local), so
// "due today" still counts as today for the whole working day.
export type DueSpec =
  | { kind: 'date', year: number, month: number, day: number }
  | { kind: 'today' } | { kind: 'tomorrow' }
  | { kind: 'weekday', weekday: number } // 0 = Sunday
  | { kind: 'plus', days: number }

const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat']
const MAX_DAYS = 3660

/** The spec of a `due:` value, or null when it is none of the forms. */
export function parseDue (text: string): DueSpec | null {
  const v = text.toLowerCase()
  if (v === 'today' || v === 'tomorrow') return { kind: v }
  const weekday = WEEKDAYS.indexOf(v.slice(0, 3))
  // mon, monday, tues, thursday…: the first three letters name the day, the rest must spell it out
  if (weekday >= 0 && /^[a-z]{3,9}$/.test(v) && new Intl.DateTimeFormat('en-US', { weekday: 'long', timeZone: 'UTC' }).format(Date.UTC(2023, 0, 1 + weekday)).toLowerCase().startsWith(v)) {
    return { kind: 'weekday', weekday }
  }
  const plus = /^\+(\d{1,4})d$/.exec(v)
  if (plus) {
    const days = Number(plus[1])
    return days <= MAX_DAYS ? { kind: 'plus', days } : null
  }
  const date = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v)
  if (date) {
    const [year, month, day] = [Number(date[1]), Number(date[2]), Number(date[3])]
    const d = new Date(Date.UTC(year, month - 1, day))
    // 2025-02-30 is not a day
    if (d.getUTCFullYear() !== year || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) return null
    return { kind: 'date', year, month, day }
  }
  return null
}

/** The calendar day (y, m, d) and weekday of `at` in `timeZone`. */
function localDay (at: Date, timeZone: string) {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: 'numeric', day: 'numeric' })
    .formatToParts(at).map((p) => [p.type, p.value]))
  const y = Number(parts.year)
  const m = Number(parts.month)
  const d = Number(parts.day)
  return { y, m, d, weekday: new Date(Date.UTC(y, m - 1, d)).getUTCDay() }
}

/** How far `timeZone` is ahead of UTC at `at`, in ms. */
function offsetMs (at: Date, timeZone: string): number {
  const p = Object.fromEntries(new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' })
    .formatToParts(at).map((x) => [x.type, x.value]))
  const asUtc = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second))
  return asUtc - Math.floor(at.getTime() / 1000) * 1000
}

/** The UTC instant of a local wall-clock time in `timeZone` (two passes settle a DST change between guesses). */
function zonedTime (y: number, m: number, d: number, hour: number, minute: number, timeZone: string): Date {
  const wall = Date.UTC(y, m - 1, d, hour, minute)
  let t = wall - offsetMs(new Date(wall), timeZone)
  t = wall - offsetMs(new Date(t), timeZone)
  return new Date(t)
}

/** The end (23:59 local) of the day the spec names, seen from `now` in `timeZone`. */
export function resolveDue (spec: DueSpec, now: Date, timeZone: string): Date {
  const today = localDay(now, timeZone)
  let add = 0
  if (spec.kind === 'date') return zonedTime(spec.year, spec.month, spec.day, 23, 59, timeZone)
  if (spec.kind === 'tomorrow') add = 1
  if (spec.kind === 'plus') add = spec.days
  if (spec.kind === 'weekday') add = ((spec.weekday - today.weekday + 7) % 7) || 7
  const day = new Date(Date.UTC(today.y, today.m - 1, today.d + add))
  return zonedTime(day.getUTCFullYear(), day.getUTCMonth() + 1, day.getUTCDate(), 23, 59, timeZone)
}

/** A time zone Intl knows, else UTC (a company setting that went bad must not break `/task add`). */
export const knownZone = (tz: string | undefined): string => {
  if (!tz) return 'UTC'
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz }).format(0)
    return tz
  } catch {
    return 'UTC'
  }
}
