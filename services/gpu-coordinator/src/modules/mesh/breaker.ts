// The per-node circuit breaker of SPEC §7.1: 3 node faults within 60 s open it for ROBBIE_GPU_BREAKER_OPEN_MS;
// then half-open lets exactly one trial (a request or a probe) through; its success closes the breaker, its
// failure reopens it for twice as long, capped at 5 min. Only the trial's outcome decides a half-open breaker:
// calls that started while it was closed and end later are ignored then. Pure: time is passed in.
import type { BreakerState } from './mesh.types.js'

const THRESHOLD = 3
const WINDOW_MS = 60_000
const MAX_OPEN_MS = 5 * 60_000

export function createBreaker (baseOpenMs: number) {
  let state: BreakerState = 'closed'
  let failures: number[] = []
  let openedAt = 0
  let openForMs = baseOpenMs
  let trialTaken = false

  const open = (now: number, forMs: number) => {
    state = 'open'
    openedAt = now
    openForMs = Math.min(forMs, MAX_OPEN_MS)
    failures = []
    trialTaken = false
  }

  const breaker = {
    /** The state now (an open breaker whose time is up is half-open). */
    state (now: number): BreakerState {
      if (state === 'open' && now >= openedAt + openForMs) { state = 'half-open'; trialTaken = false }
      return state
    },
    openedAt: () => (state === 'closed' ? null : openedAt),
    /** Closed, or half-open with the trial still free. */
    admits (now: number): boolean {
      const s = breaker.state(now)
      return s === 'closed' || (s === 'half-open' && !trialTaken)
    },
    /** Takes the half-open trial: true when this call is it. */
    takeTrial (now: number): boolean {
      if (breaker.state(now) !== 'half-open' || trialTaken) return false
      trialTaken = true
      return true
    },
    /** The trial ended without saying anything about the node (a 4xx, the caller went away): free it again. */
    releaseTrial (): void { trialTaken = false },
    success (now: number, wasTrial: boolean): void {
      if (wasTrial && breaker.state(now) === 'half-open') {
        state = 'closed'
        openForMs = baseOpenMs
        failures = []
        trialTaken = false
      }
    },
    failure (now: number, wasTrial: boolean): void {
      const s = breaker.state(now)
      if (s === 'half-open') {
        if (wasTrial) open(now, openForMs * 2)
        return
      }
      if (s === 'open') return
      failures = failures.filter((t) => now - t < WINDOW_MS)
      failures.push(now)
      if (failures.length >= THRESHOLD) open(now, baseOpenMs)
    }
  }
  return breaker
}
export type Breaker = ReturnType<typeof createBreaker>
