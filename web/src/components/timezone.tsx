// An IANA time-zone picker (SPEC §0.1: time zones are IANA names), defaulting to the browser's own.
import { SelectField } from './fields.js'

export const browserTimeZone = (): string => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC'

let zones: Array<{ value: string, label: string }> | null = null
function allZones (): Array<{ value: string, label: string }> {
  if (!zones) {
    const list = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : []
    zones = [...new Set(['UTC', ...list])].map((z) => ({ value: z, label: z.replaceAll('_', ' ') }))
  }
  return zones
}

export function TimeZoneField ({ label = 'Time zone', value, onValue, hint }: { label?: string, value: string, onValue: (v: string) => void, hint?: string }) {
  const options = allZones()
  const withCurrent = options.some((o) => o.value === value) ? options : [{ value, label: value }, ...options]
  return <SelectField label={label} value={value} onValue={onValue} options={withCurrent} hint={hint} />
}
