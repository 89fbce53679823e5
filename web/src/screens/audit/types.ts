// Shapes of the audit API (SPEC §2.4).
export interface AuditEvent {
  seq: number
  id: string
  at: string
  service: string
  actorType: string
  actorId: string | null
  onBehalfOf: string | null
  action: string
  resourceType: string | null
  resourceId: string | null
  outcome: string
  requestId: string | null
  traceId: string | null
  ip: string | null
  details: Record<string, unknown>
  prevHash: string
  hash: string
}
export interface AuditPage { items: AuditEvent[], nextCursor: string | null }
export interface Filters {
  from: string, to: string, service: string, actorId: string, action: string, resourceType: string, resourceId: string, outcome: string, traceId: string
}
export const NO_FILTERS: Filters = { from: '', to: '', service: '', actorId: '', action: '', resourceType: '', resourceId: '', outcome: '', traceId: '' }

/** The list query for the filters: datetime-local values become ISO instants. */
export function filterQuery (f: Filters): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(f) as Array<[keyof Filters, string]>) {
    const value = v.trim()
    if (!value) continue
    out[k] = k === 'from' || k === 'to' ? new Date(value).toISOString() : value
  }
  return out
}
