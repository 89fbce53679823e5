// The admission queue of SPEC §7.2. Order = class base (interactive 300, normal 200, batch 100) + 50 for the owner
// + 1 per second waited; since everyone ages at the same rate, that is a fixed key per waiter (base + bonus −
// enqueued seconds), ties first come first served. When a slot may have freed, the highest-ordered waiter whose
// model has an eligible node gets it (a waiter for a model nobody can serve now does not block the others).
// Bounds count waiters only: a call that gets a slot at once never counts as queued.
import type { Lease, PriorityClass, RouteRequest } from './mesh.types.js'
import { QueueFull, QueueTimeout, RateLimited } from './mesh.errors.js'

export const CLASS_BASE: Record<PriorityClass, number> = { interactive: 300, normal: 200, batch: 100 }
export const CLASSES = Object.keys(CLASS_BASE) as PriorityClass[]
export type RejectReason = 'rate-limited' | 'queue-full' | 'queue-timeout' | 'no-nodes' | 'model-not-found'

interface Waiter {
  seq: number
  req: RouteRequest
  key: number
  enqueuedAt: number
  identity: string
  resolve: (lease: Lease) => void
  reject: (err: unknown) => void
  cleanup: () => void
}

/** The queue order of a request at enqueue time (higher first). */
const orderKey = (req: RouteRequest, enqueuedAtMs: number) =>
  CLASS_BASE[req.priority] + (req.identity.kind === 'user' && req.identity.role === 'owner' ? 50 : 0) - enqueuedAtMs / 1000

export function createAdmission (opts: {
  now: () => number
  limits: { total: number, perIdentity: number }
  waitMs: Record<PriorityClass, number>
  /** a slot for this request now, or null when no eligible node has one */
  tryGrant: (req: RouteRequest, queueMs: number) => Lease | null
  /** SPEC §7.2's Retry-After for a refusal now, with this many waiting */
  retryAfterS: (queued: number) => number
  onReject: (reason: RejectReason) => void
}) {
  const waiters = new Set<Waiter>()
  let seq = 0
  let pumping = false
  let again = false

  const byOrder = (a: Waiter, b: Waiter) => b.key - a.key || a.seq - b.seq
  const countOf = (identity: string) => { let n = 0; for (const w of waiters) if (w.identity === identity) n++; return n }

  function leave (w: Waiter) {
    waiters.delete(w)
    w.cleanup()
  }

  function pump (): void {
    if (pumping) { again = true; return }
    pumping = true
    try {
      do {
        again = false
        for (const w of [...waiters].sort(byOrder)) {
          if (!waiters.has(w)) continue
          let lease: Lease | null
          try { lease = opts.tryGrant(w.req, opts.now() - w.enqueuedAt) } catch (err) { leave(w); w.reject(err); continue }
          if (lease) { leave(w); w.resolve(lease) }
        }
      } while (again)
    } finally { pumping = false }
  }

  async function enqueue (req: RouteRequest): Promise<Lease> {
    if (req.signal.aborted) throw req.signal.reason ?? new Error('aborted')
    // nobody waiting, so nobody to pass: a free slot is taken at once, without a waiter's timer and listener
    // (what the queue below would do too, at a cost on every call)
    if (waiters.size === 0) {
      const lease = opts.tryGrant(req, 0)
      if (lease) return lease
    }
    const identity = req.identity.id
    const before = { total: waiters.size, mine: countOf(identity) }
    return await new Promise<Lease>((resolve, reject) => {
      const enqueuedAt = opts.now()
      const onAbort = () => { if (waiters.has(w)) { leave(w); reject(req.signal.reason ?? new Error('aborted')) } }
      const timer = setTimeout(() => {
        if (!waiters.has(w)) return
        leave(w)
        opts.onReject('queue-timeout')
        reject(QueueTimeout(opts.retryAfterS(waiters.size), Math.round(opts.waitMs[req.priority] / 1000)))
      }, opts.waitMs[req.priority])
      timer.unref()
      const w: Waiter = {
        seq: seq++,
        req,
        key: orderKey(req, enqueuedAt),
        enqueuedAt,
        identity,
        resolve,
        reject,
        cleanup: () => { clearTimeout(timer); req.signal.removeEventListener('abort', onAbort) }
      }
      waiters.add(w)
      req.signal.addEventListener('abort', onAbort, { once: true })
      pump()
      if (!waiters.has(w)) return // granted at once
      if (before.mine >= opts.limits.perIdentity) {
        leave(w)
        opts.onReject('rate-limited')
        reject(RateLimited(opts.retryAfterS(waiters.size)))
      } else if (before.total >= opts.limits.total) {
        leave(w)
        opts.onReject('queue-full')
        reject(QueueFull(opts.retryAfterS(waiters.size)))
      }
    })
  }

  return {
    enqueue,
    pump,
    depth (): { total: number, byClass: Record<PriorityClass, number> } {
      const byClass = { interactive: 0, normal: 0, batch: 0 }
      for (const w of waiters) byClass[w.req.priority]++
      return { total: waiters.size, byClass }
    },
    /** Refuses everyone still waiting (the service is closing). */
    close (err: () => unknown): void {
      for (const w of [...waiters]) { leave(w); w.reject(err()) }
    }
  }
}
