// Shapes of the secrets API (SPEC §5.3) as the screen uses them.
export type ScopeName = 'global' | 'company' | 'node'
export interface SecretItem {
  id: string
  service: string
  name: string
  scope: ScopeName
  scopeId: string
  version: number
  managed: boolean
  visibility: 'company' | 'owner'
  metadata: { description?: string, url?: string, ownerUserId?: string, tags?: string[] }
  expiresAt: string | null
  rotationIntervalDays?: number | null
  rotationDueAt: string | null
  updatedAt: string
  deletedAt: string | null
}
export interface SealStatus {
  sealed: boolean
  reason?: 'missing_key' | 'bad_key_length' | 'key_mismatch'
  masterKeyId: string | null
  previousKeyId?: string
  dataKeys: number
  rewrap?: { done: number, total: number }
}

/** `/api/secrets/entries/<service>/<name>` plus the address query, and an optional suffix (`/reveal`). */
export function entryPath (s: Pick<SecretItem, 'service' | 'name' | 'scope' | 'scopeId'>, suffix = ''): string {
  const q = new URLSearchParams({ scope: s.scope })
  if (s.scopeId) q.set('scopeId', s.scopeId)
  return `/api/secrets/entries/${encodeURIComponent(s.service)}/${encodeURIComponent(s.name)}${suffix}?${q.toString()}`
}

export const label = (s: Pick<SecretItem, 'service' | 'name'>): string => `${s.service}/${s.name}`
