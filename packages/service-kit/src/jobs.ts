// Scheduled jobs (SPEC §0.6): each runs on one replica at a time (a Postgres advisory lock per job name, held
// by a connection of its own for the run), leaves a run record (job_runs) and sets
// robbie_job_last_success_timestamp{service,job}. A run that finds the lock taken is skipped, not queued.
import type { FastifyBaseLogger } from 'fastify'
import { Gauge } from 'prom-client'
import { uuidv7 } from '@robbie/contracts'
import type { Pool } from '@robbie/db'
import type { Metrics } from './metrics.js'

export type JobCounts = Record<string, number>
export interface JobSpec {
  name: string
  everyMs: number
  run: (ctx: { log: FastifyBaseLogger }) => Promise<JobCounts | undefined>
}

export function createJobs (opts: { pool: Pool, log: FastifyBaseLogger, metrics: Metrics }) {
  const lastSuccess = new Gauge({ name: 'robbie_job_last_success_timestamp', help: 'When each scheduled job last succeeded (unix seconds)', labelNames: ['job'], registers: [opts.metrics.registry] })
  const specs: JobSpec[] = []
  const timers: NodeJS.Timeout[] = []
  const running = new Set<Promise<unknown>>()

  /** One run now: → 'success' | 'failed' | 'skipped' (another replica holds the lock). */
  async function runOnce (spec: JobSpec): Promise<'success' | 'failed' | 'skipped'> {
    const log = opts.log.child({ job: spec.name })
    const client = await opts.pool.connect()
    try {
      const { rows } = await client.query<{ locked: boolean }>("SELECT pg_try_advisory_lock(hashtext(current_schema() || ':job:' || $1)) AS locked", [spec.name])
      if (!rows[0]?.locked) return 'skipped'
      const startedAt = new Date()
      let outcome: 'success' | 'failed' = 'success'
      let counts: JobCounts = {}
      try {
        counts = (await spec.run({ log })) ?? {}
      } catch (err) {
        outcome = 'failed'
        log.warn({ err }, 'job failed')
      }
      const finishedAt = new Date()
      await client.query('INSERT INTO job_runs (id, job, started_at, finished_at, outcome, counts) VALUES ($1, $2, $3, $4, $5, $6)',
        [uuidv7(), spec.name, startedAt, finishedAt, outcome, JSON.stringify(counts)])
      if (outcome === 'success') lastSuccess.set({ job: spec.name }, finishedAt.getTime() / 1000)
      log.info({ startedAt: startedAt.toISOString(), finishedAt: finishedAt.toISOString(), outcome, counts }, 'job run')
      return outcome
    } finally {
      await client.query("SELECT pg_advisory_unlock(hashtext(current_schema() || ':job:' || $1))", [spec.name]).catch(() => {})
      client.release()
    }
  }

  return {
    /** Registers a job; it runs every `everyMs` while the service is up (and not at all with everyMs ≤ 0). */
    schedule (spec: JobSpec): void { specs.push(spec) },
    runOnce: async (name: string) => {
      const spec = specs.find((s) => s.name === name)
      if (!spec) throw new Error(`no job named ${name}`)
      return await runOnce(spec)
    },
    start (): void {
      for (const spec of specs) {
        if (spec.everyMs <= 0) continue
        let inFlight: Promise<unknown> | undefined
        const timer = setInterval(() => {
          if (inFlight) return // the previous run is still going: skip this tick
          inFlight = runOnce(spec).catch((err: unknown) => { opts.log.warn({ err, job: spec.name }, 'job could not run') })
            .finally(() => { running.delete(inFlight!); inFlight = undefined })
          running.add(inFlight)
        }, spec.everyMs)
        timer.unref()
        timers.push(timer)
      }
    },
    async stop (): Promise<void> {
      for (const t of timers) clearInterval(t)
      await Promise.allSettled([...running])
    }
  }
}
export type Jobs = ReturnType<typeof createJobs>
