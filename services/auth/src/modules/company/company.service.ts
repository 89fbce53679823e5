// Company settings (SPEC §2.2): owner and admins change them; `onboarded: true` is the owner's alone.
// Every change bumps the version and emits auth.company.updated.v1 with the changed fields.
import { withTransaction, type Pool } from '@robbie/db'
import { genericError } from '@robbie/service-kit'
import type { Identity } from '@robbie/contracts'
import type { Outbox } from '@robbie/bus'
import type { Audit, Caller } from '../sessions/audit.js'
import type { CompanyField, CompanyRepository, CompanyRow } from './company.repository.js'

export interface CompanyPatch {
  name?: string
  slug?: string
  internalDomains?: string[]
  timeZone?: string
  undoWindowS?: number
  dailySendCap?: number
  dailyCalendarWriteCap?: number
  memberGpuSecondsPerDay?: number
  writingStyle?: string
  briefCron?: string
  onboarded?: true
}

export const isTimeZone = (tz: string): boolean => {
  try { return new Intl.DateTimeFormat('en-US', { timeZone: tz }).resolvedOptions().timeZone.length > 0 } catch { return false }
}

const CRON_FIELD = /^(\*|\d{1,2}(-\d{1,2})?)(\/\d{1,2})?(,(\*|\d{1,2}(-\d{1,2})?)(\/\d{1,2})?)*$/
export const isCron5 = (cron: string): boolean => {
  const parts = cron.trim().split(/\s+/)
  return parts.length === 5 && parts.every((p) => CRON_FIELD.test(p))
}

export const slugify = (name: string): string =>
  name.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 63) || 'company'

export const companyView = (c: CompanyRow) => ({
  name: c.name,
  slug: c.slug,
  internalDomains: c.internalDomains,
  timeZone: c.timeZone,
  ownerUserId: c.ownerUserId,
  ownerName: c.ownerName,
  undoWindowS: c.undoWindowS,
  dailySendCap: c.dailySendCap,
  dailyCalendarWriteCap: c.dailyCalendarWriteCap,
  memberGpuSecondsPerDay: c.memberGpuSecondsPerDay,
  writingStyle: c.writingStyle,
  briefCron: c.briefCron,
  onboardedAt: c.onboardedAt?.toISOString() ?? null,
  version: c.version
})

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b)

export function createCompanyService (deps: { pool: Pool, repo: CompanyRepository, audit: Audit, outbox: Pick<Outbox, 'add'>, clock: () => Date }) {
  return {
    async get () { return companyView(await deps.repo.get()) },

    async update (identity: Identity, patch: CompanyPatch, caller: Caller) {
      if (patch.onboarded && identity.role !== 'owner') throw genericError('auth', 'FORBIDDEN', 'Only the owner finishes onboarding')
      const details: { path: string, rule: string }[] = []
      if (patch.timeZone !== undefined && !isTimeZone(patch.timeZone)) details.push({ path: 'body/timeZone', rule: 'timeZone' })
      if (patch.briefCron !== undefined && !isCron5(patch.briefCron)) details.push({ path: 'body/briefCron', rule: 'cron' })
      if (details.length > 0) throw genericError('auth', 'VALIDATION_FAILED', 'Invalid company settings', { details })
      const now = deps.clock()
      return await withTransaction(deps.pool, async (client) => {
        const current = await deps.repo.get(client, { forUpdate: true })
        const { onboarded, ...fields } = patch
        const values: Partial<Record<CompanyField, unknown>> = {}
        for (const [key, value] of Object.entries(fields) as Array<[CompanyField, unknown]>) {
          if (value !== undefined && !same(value, current[key])) values[key] = value
        }
        if (onboarded && current.onboardedAt === null) values.onboardedAt = now
        const changed = Object.keys(values)
        if (changed.length === 0) return companyView(current)
        await deps.repo.update(values, now, client)
        const updated = await deps.repo.get(client)
        await deps.audit.record(client, { action: 'auth.company.update', outcome: 'success', resourceType: 'company', resourceId: '1', details: { changed } }, caller.request)
        await deps.outbox.add(client, {
          type: 'auth.company.updated.v1',
          subject: { type: 'company', id: '1' },
          actor: { type: identity.kind === 'user' ? 'user' : 'service', id: identity.id },
          data: { version: updated.version, changed }
        })
        return companyView(updated)
      })
    }
  }
}
export type CompanyService = ReturnType<typeof createCompanyService>
