// gpu_usage(identity, day, gpu_seconds) (SPEC §7.1): GPU seconds per identity and company day.
import type { Pool } from '@robbie/db'

export interface UsageCharge { identity: string, timeZone: string, seconds: number }

export function createUsageRepository (pool: Pool) {
  return {
    /** Seconds used on the company's current day, and the seconds until that day ends. */
    async today (identity: string, timeZone: string): Promise<{ usedS: number, leftInDayS: number }> {
      const { rows } = await pool.query<{ used: number | null, left_s: number }>(
        `SELECT (SELECT gpu_seconds FROM gpu_usage WHERE identity = $1 AND day = (now() AT TIME ZONE $2)::date) AS used,
                extract(epoch FROM date_trunc('day', now() AT TIME ZONE $2) + interval '1 day' - (now() AT TIME ZONE $2))::float8 AS left_s`,
        [identity, timeZone])
      return { usedS: rows[0]?.used ?? 0, leftInDayS: rows[0]?.left_s ?? 86_400 }
    },
    /** Many charges in one statement, summed per identity and day first (an upsert may touch a row only once). */
    async addMany (charges: UsageCharge[]): Promise<void> {
      if (charges.length === 0) return
      await pool.query(
        `INSERT INTO gpu_usage AS u (identity, day, gpu_seconds)
         SELECT c.identity, (now() AT TIME ZONE c.tz)::date AS day, sum(c.seconds)
           FROM unnest($1::text[], $2::text[], $3::float8[]) AS c(identity, tz, seconds)
          GROUP BY 1, 2
         ON CONFLICT (identity, day) DO UPDATE SET gpu_seconds = u.gpu_seconds + EXCLUDED.gpu_seconds, updated_at = now()`,
        [charges.map((c) => c.identity), charges.map((c) => c.timeZone), charges.map((c) => c.seconds)])
    },
    /** Rows older than a year are nobody's quota any more. */
    async purge (): Promise<number> {
      const result = await pool.query('DELETE FROM gpu_usage WHERE day < current_date - 400')
      return result.rowCount ?? 0
    }
  }
}
export type UsageRepository = ReturnType<typeof createUsageRepository>
