// The two company settings the quota needs (SPEC §7.2): member_gpu_seconds_per_day and the company time zone
// (the quota's day), from auth's GET /internal/auth/company with this service's key. Cached for a minute and
// evicted on auth.company.updated.v1. Model generation fails closed (SPEC §0.5): with auth unreachable and
// nothing cached, a member's call is a 503; a value already read keeps serving while auth is away.
import { readFileSync } from 'node:fs'
import { createServiceClient, genericError, type ServiceClient } from '@robbie/service-kit'

export interface QuotaSettings { memberGpuSecondsPerDay: number, timeZone: string }

/** Without ROBBIE_AUTH_URL (a lone coordinator in development) SPEC's defaults apply. */
export const DEFAULT_SETTINGS: QuotaSettings = { memberGpuSecondsPerDay: 3600, timeZone: 'UTC' }
const TTL_MS = 60_000

export function createCompanySettings (opts: { authUrl?: string, serviceKeyFile: string, now?: () => number }) {
  const now = opts.now ?? Date.now
  let cached: { value: QuotaSettings, at: number } | undefined
  let inFlight: Promise<QuotaSettings> | undefined
  let generation = 0
  let client: ServiceClient | undefined

  async function fetchSettings (requestId?: string): Promise<QuotaSettings> {
    client ??= createServiceClient({ caller: 'gpu-coordinator', baseUrl: opts.authUrl!, serviceKey: readFileSync(opts.serviceKeyFile, 'utf8').trim(), timeoutMs: 3000 })
    const res = await client.request<{ memberGpuSecondsPerDay?: unknown, timeZone?: unknown }>('GET', '/internal/auth/company', requestId ? { requestId } : {})
    const b = res.body
    if (res.status !== 200 || typeof b?.memberGpuSecondsPerDay !== 'number' || typeof b.timeZone !== 'string') {
      throw genericError('gpu-coordinator', 'UNAVAILABLE', 'The company settings cannot be read', { headers: { 'retry-after': '5' } })
    }
    return { memberGpuSecondsPerDay: b.memberGpuSecondsPerDay, timeZone: b.timeZone }
  }

  return {
    async get (requestId?: string): Promise<QuotaSettings> {
      if (!opts.authUrl) return DEFAULT_SETTINGS
      if (cached && now() - cached.at < TTL_MS) return cached.value
      const started = generation
      inFlight ??= fetchSettings(requestId).finally(() => { inFlight = undefined })
      try {
        const value = await inFlight
        // an eviction during the fetch means the answer may predate the change: use it, do not keep it
        if (started === generation) cached = { value, at: now() }
        return value
      } catch (err) {
        if (cached) return cached.value
        throw err
      }
    },
    /** The time zone last read, for charging usage without waiting on auth. */
    timeZone: (): string => cached?.value.timeZone ?? DEFAULT_SETTINGS.timeZone,
    evict (): void { generation++; cached = undefined }
  }
}
export type CompanySettings = ReturnType<typeof createCompanySettings>
