// Members' GPU-seconds per company day (SPEC §7.2): checked before a call queues, charged to the token's `sub`
// (the user, also when a service acts for them) with the duration of the node call. Owner, admins and services
// are unlimited, but their usage is recorded too. A check and a charge are not atomic: calls already running
// when the quota runs out finish, and the next one is refused.
import type { Identity } from '@robbie/contracts'
import type { CompanySettings } from './company-settings.js'
import { QuotaExceeded } from './proxy.errors.js'
import type { UsageCharge, UsageRepository } from './usage.repository.js'

const isLimited = (identity: Identity) => identity.kind === 'user' && identity.role === 'member'

export function createQuota (deps: { usage: Pick<UsageRepository, 'today'>, settings: Pick<CompanySettings, 'get' | 'timeZone'> }) {
  return {
    /** Throws 429 GPU_COORDINATOR_QUOTA_EXCEEDED, with the seconds until the company's day ends. */
    async check (identity: Identity, requestId?: string): Promise<void> {
      if (!isLimited(identity)) return
      const { memberGpuSecondsPerDay: limit, timeZone } = await deps.settings.get(requestId)
      const { usedS, leftInDayS } = await deps.usage.today(identity.id, timeZone)
      if (usedS >= limit) throw new QuotaExceeded(limit, Math.max(1, Math.ceil(leftInDayS)))
    },
    /** The node time of one call as a charge to the caller's day (written in the background), or null. */
    charge (identity: Identity, seconds: number): UsageCharge | null {
      if (identity.kind !== 'user' || !(seconds > 0)) return null
      return { identity: identity.id, timeZone: deps.settings.timeZone(), seconds }
    }
  }
}
export type Quota = ReturnType<typeof createQuota>
