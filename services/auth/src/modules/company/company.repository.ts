// SQL for the one company_settings row (SPEC §2.2).
import type { Queryable } from '@robbie/db'

export interface CompanyRow {
  name: string
  slug: string
  internalDomains: string[]
  timeZone: string
  undoWindowS: number
  dailySendCap: number
  dailyCalendarWriteCap: number
  memberGpuSecondsPerDay: number
  writingStyle: string
  briefCron: string
  onboardedAt: Date | null
  version: number
  updatedAt: Date
  ownerUserId: string | null
  ownerName: string | null
}

/** API field → column, for the fields PATCH may change. */
export const COMPANY_COLUMNS = {
  name: 'name',
  slug: 'slug',
  internalDomains: 'internal_domains',
  timeZone: 'time_zone',
  undoWindowS: 'undo_window_s',
  dailySendCap: 'daily_send_cap',
  dailyCalendarWriteCap: 'daily_calendar_write_cap',
  memberGpuSecondsPerDay: 'member_gpu_seconds_per_day',
  writingStyle: 'writing_style',
  briefCron: 'brief_cron',
  onboardedAt: 'onboarded_at'
} as const
export type CompanyField = keyof typeof COMPANY_COLUMNS

export function createCompanyRepository (pool: Queryable) {
  return {
    async get (client: Queryable = pool, opts: { forUpdate?: boolean } = {}): Promise<CompanyRow> {
      const { rows } = await client.query<Record<string, unknown>>(
        `SELECT c.name, c.slug, c.internal_domains, c.time_zone, c.undo_window_s, c.daily_send_cap, c.daily_calendar_write_cap,
           c.member_gpu_seconds_per_day, c.writing_style, c.brief_cron, c.onboarded_at, c.version, c.updated_at,
           o.id AS owner_user_id, o.name AS owner_name
         FROM company_settings c LEFT JOIN users o ON o.role = 'owner' WHERE c.id = 1${opts.forUpdate ? ' FOR UPDATE OF c' : ''}`)
      const r = rows[0]!
      return {
        name: r.name as string,
        slug: r.slug as string,
        internalDomains: r.internal_domains as string[],
        timeZone: r.time_zone as string,
        undoWindowS: r.undo_window_s as number,
        dailySendCap: r.daily_send_cap as number,
        dailyCalendarWriteCap: r.daily_calendar_write_cap as number,
        memberGpuSecondsPerDay: r.member_gpu_seconds_per_day as number,
        writingStyle: r.writing_style as string,
        briefCron: r.brief_cron as string,
        onboardedAt: r.onboarded_at as Date | null,
        version: r.version as number,
        updatedAt: r.updated_at as Date,
        ownerUserId: r.owner_user_id as string | null,
        ownerName: r.owner_name as string | null
      }
    },
    /** Sets the given fields (column names from COMPANY_COLUMNS only) and bumps the version. */
    async update (values: Partial<Record<CompanyField, unknown>>, now: Date, client: Queryable = pool): Promise<void> {
      const fields = Object.keys(values) as CompanyField[]
      if (fields.length === 0) return
      const sets = fields.map((f, i) => `${COMPANY_COLUMNS[f]} = $${i + 1}`)
      await client.query(
        `UPDATE company_settings SET ${sets.join(', ')}, version = version + 1, updated_at = $${fields.length + 1} WHERE id = 1`,
        [...fields.map((f) => values[f]), now])
    }
  }
}
export type CompanyRepository = ReturnType<typeof createCompanyRepository>
