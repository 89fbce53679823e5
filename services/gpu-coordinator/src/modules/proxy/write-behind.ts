// The decision rows and GPU seconds of finished calls (SPEC §7.2, §7.4), written after the answer has gone and in
// batches: the first row waits up to LINGER_MS for others (a full batch goes at once), then one INSERT takes all
// the decisions and one upsert all the charges. Two statements per batch instead of two commits per call: on a
// small shared machine, per-call commits slowed the *next* calls by milliseconds at the median (a Postgres backend
// and a WAL flush competing for the cores; docs/performance.md, `gpu`), and no call ever waits on Postgres.
// The price: a crash (not a graceful close, which drains) loses what is not written yet, the rows and charges
// of the calls that ended in the last LINGER_MS (and of a write in flight). A lost charge only makes a member's
// quota a little generous; a lost decision row is a gap in a 7-day diagnostic log.
import type { FastifyBaseLogger } from 'fastify'
import type { Decision, DecisionsRepository } from './decisions.repository.js'
import type { UsageCharge, UsageRepository } from './usage.repository.js'

/** Postgres's 65535 bind parameters hold 4369 decision rows of 15; batches stay well below. */
const MAX_BATCH = 500
const LINGER_MS = 100

export function createWriteBehind (deps: {
  decisions: Pick<DecisionsRepository, 'insertMany'>
  usage: Pick<UsageRepository, 'addMany'>
  log: FastifyBaseLogger
  /** how long a row waits for others (default LINGER_MS) */
  lingerMs?: number
}) {
  const decisions: Decision[] = []
  const charges: UsageCharge[] = []
  let running: Promise<void> | null = null
  let scheduled: NodeJS.Timeout | null = null
  const lingerMs = deps.lingerMs ?? LINGER_MS
  const pending = () => decisions.length > 0 || charges.length > 0

  /** A batch refused for its data (SQLSTATE 22xxx, 23xxx) is retried row by row: one bad row loses only itself. */
  async function write<T> (rows: T[], many: (rows: T[]) => Promise<void>, what: string): Promise<void> {
    try {
      await many(rows)
    } catch (err) {
      const code = String((err as { code?: unknown }).code ?? '')
      if (rows.length > 1 && /^2[23]/.test(code)) {
        for (const row of rows) await write([row], many, what)
        return
      }
      deps.log.warn({ err, what, rows: rows.length }, 'background write failed')
    }
  }

  async function flush (): Promise<void> {
    const d = decisions.splice(0, MAX_BATCH)
    const c = charges.splice(0, MAX_BATCH)
    await Promise.all([
      d.length > 0 ? write(d, deps.decisions.insertMany, 'decision') : undefined,
      c.length > 0 ? write(c, deps.usage.addMany, 'gpu usage') : undefined
    ])
  }

  function run (): void {
    if (scheduled) { clearTimeout(scheduled); scheduled = null }
    if (running) return // its end schedules what came meanwhile
    running = flush().finally(() => {
      running = null
      if (pending()) kick()
    })
  }
  function kick (): void {
    if (running) return
    if (decisions.length >= MAX_BATCH || charges.length >= MAX_BATCH) run()
    else scheduled ??= setTimeout(run, lingerMs).unref() // close drains, so the timer need not hold the process
  }

  return {
    decision (d: Decision): void { decisions.push(d); kick() },
    charge (c: UsageCharge | null): void { if (c) { charges.push(c); kick() } },
    /** Writes everything still waiting (the app is closing). */
    async drain (): Promise<void> {
      while (running || pending()) {
        run()
        await running
      }
    }
  }
}
export type WriteBehind = ReturnType<typeof createWriteBehind>
