// The mesh's load history (SPEC §7.4): every sample period each replica stores how many calls it has in flight
// per node and how deep its queue is; GET /mesh/history sums the replicas per period. Samples older than 24 h are
// pruned by a kit job (one replica at a time).
import { uuidv7 } from '@robbie/contracts'
import type { Pool } from '@robbie/db'
import type { MeshImpl } from './mesh.js'

export interface HistoryPoint { at: string, queueDepth: number, byClass: Record<string, number>, inflight: Record<string, number> }

export function createHistory (deps: { pool: Pool, mesh: MeshImpl, instance: string, intervalMs: number, now?: () => number }) {
  const now = deps.now ?? Date.now
  let timer: NodeJS.Timeout | undefined
  let running: Promise<unknown> | undefined

  async function sample (): Promise<void> {
    const inflight = Object.fromEntries(deps.mesh.list().map((n) => [n.name, n.inflight]))
    const queue = deps.mesh.queueDepth()
    await deps.pool.query('INSERT INTO mesh_samples (id, at, instance, inflight, queue_depth, by_class) VALUES ($1, $2, $3, $4, $5, $6)',
      [uuidv7(), new Date(now()), deps.instance, JSON.stringify(inflight), queue.total, JSON.stringify(queue.byClass)])
  }

  return {
    sample,
    start (onError: (err: unknown) => void): void {
      timer = setInterval(() => { running ??= sample().catch(onError).finally(() => { running = undefined }) }, deps.intervalMs)
      timer.unref()
    },
    async stop (): Promise<void> {
      clearInterval(timer)
      await running
    },
    /** The last `minutes`, one point per sample period: each replica's latest sample in it, replicas summed. */
    async list (minutes: number): Promise<HistoryPoint[]> {
      const since = new Date(now() - minutes * 60_000)
      const { rows } = await deps.pool.query<{ at: Date, instance: string, inflight: Record<string, number>, queue_depth: number, by_class: Record<string, number> }>(
        'SELECT at, instance, inflight, queue_depth, by_class FROM mesh_samples WHERE at >= $1 ORDER BY at', [since])
      const slots = new Map<number, Map<string, (typeof rows)[number]>>()
      for (const r of rows) {
        const slot = Math.floor(r.at.getTime() / deps.intervalMs) * deps.intervalMs
        const byInstance = slots.get(slot) ?? new Map()
        byInstance.set(r.instance, r) // rows come oldest first: the latest of a replica wins
        slots.set(slot, byInstance)
      }
      return [...slots].map(([slot, byInstance]) => {
        const p: HistoryPoint = { at: new Date(slot).toISOString(), queueDepth: 0, byClass: {}, inflight: {} }
        for (const r of byInstance.values()) {
          p.queueDepth += r.queue_depth
          for (const [k, v] of Object.entries(r.by_class)) p.byClass[k] = (p.byClass[k] ?? 0) + v
          for (const [k, v] of Object.entries(r.inflight)) p.inflight[k] = (p.inflight[k] ?? 0) + v
        }
        return p
      })
    },
    async prune (): Promise<{ pruned: number }> {
      const { rowCount } = await deps.pool.query("DELETE FROM mesh_samples WHERE at < now() - interval '24 hours'")
      return { pruned: rowCount ?? 0 }
    }
  }
}
export type History = ReturnType<typeof createHistory>
