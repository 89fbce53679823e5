// A timestamp: relative text, the exact time on hover and for assistive technology.
import { dateTime, relative } from '../lib/format.js'

export function Time ({ iso }: { iso: string | null | undefined }) {
  if (!iso) return <span class='muted'>—</span>
  return <time dateTime={iso} title={dateTime(iso)}>{relative(iso)}</time>
}
