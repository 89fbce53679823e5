// The wording of the `why` line (SPEC §4.4): durations, money, and the phrase of each term.
import type { Tier } from './types.js'

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR

/** "90 min" under 2 h, "30 h" under 2 d, else "2 d"; whole units rounded down, never 0. */
export function duration (ms: number): string {
  const abs = Math.abs(ms)
  if (abs < 2 * HOUR) return `${Math.max(1, Math.floor(abs / MINUTE))} min`
  if (abs < 2 * DAY) return `${Math.floor(abs / HOUR)} h`
  return `${Math.floor(abs / DAY)} d`
}

/** "Due in 3 h" / "Closes in 30 h" / "Overdue by 2 d" (a deal's deadline is its close date). */
export function deadlinePhrase (kind: string, msToDeadline: number): string {
  if (msToDeadline < 0) return `Overdue by ${duration(msToDeadline)}`
  return `${kind === 'deal' ? 'Closes' : 'Due'} in ${duration(msToDeadline)}`
}

export function startPhrase (msToStart: number): string {
  return msToStart < 0 ? `Started ${duration(msToStart)} ago` : `Starts in ${duration(msToStart)}`
}

/** "$60k", "$750", "$1.5M" */
export function money (usd: number): string {
  if (usd >= 1e6) return `$${Number((usd / 1e6).toFixed(1))}M`
  if (usd >= 1000) return `$${Math.round(usd / 1000)}k`
  return `$${Math.round(usd)}`
}

export const TIER_PHRASE: Record<Tier, string | null> = {
  founder: 'founder sender',
  c_level: 'C-level sender',
  vp: 'VP sender',
  director: 'director sender',
  manager: 'manager sender',
  individual: 'individual sender',
  unknown: null
}

export const peoplePhrase = (n: number) => `involves ${n} ${n === 1 ? 'person' : 'people'}`
export const dealPhrase = (amount: number) => amount > 0 ? `tied to a ${money(amount)} deal` : 'tied to a deal'
