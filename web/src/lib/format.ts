// Dates and numbers as people read them.
const rtf = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' })
const UNITS: Array<[Intl.RelativeTimeFormatUnit, number]> = [
  ['year', 31_536_000], ['month', 2_592_000], ['week', 604_800], ['day', 86_400], ['hour', 3_600], ['minute', 60], ['second', 1]
]

/** "3 minutes ago", "in 2 days". */
export function relative (iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '—'
  const diffS = (new Date(iso).getTime() - now) / 1000
  for (const [unit, size] of UNITS) {
    if (Math.abs(diffS) >= size || unit === 'second') return rtf.format(Math.round(diffS / size), unit)
  }
  return '—'
}

/** "6 Jan 2025, 09:00" in the browser's time zone. */
export function dateTime (iso: string | null | undefined): string {
  if (!iso) return '—'
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' })
}

export const daysUntil = (iso: string, now = Date.now()): number => Math.ceil((new Date(iso).getTime() - now) / 86_400_000)
