// The killswitch (SPEC §11.5): every signed-in user sees it, owner and admins toggle it. The state is polled
// (and re-read when the tab comes back), and ws.ts may push a fresher one with `killswitch.set(...)`.
import { api } from './api.js'
import { createStore } from './store.js'

export interface KillswitchState {
  active: boolean
  pauseOutbound: boolean
  reason: string | null
  since: string | null
  by: string | null
}

const POLL_MS = 20_000

export const killswitch = createStore<KillswitchState | null>(null)

export async function loadKillswitch (): Promise<void> {
  try {
    killswitch.set(await api<KillswitchState>('GET', '/api/auth/killswitch'))
  } catch { /* keep the last known state; the next poll tries again */ }
}

export async function setKillswitch (body: { active: boolean, reason?: string, pauseOutbound?: boolean }): Promise<KillswitchState> {
  const state = await api<KillswitchState>('POST', '/api/auth/killswitch', body)
  killswitch.set(state)
  return state
}

/** Starts polling while signed in; returns the stop function. */
export function watchKillswitch (): () => void {
  void loadKillswitch()
  const timer = setInterval(() => { if (document.visibilityState === 'visible') void loadKillswitch() }, POLL_MS)
  const onVisible = (): void => { if (document.visibilityState === 'visible') void loadKillswitch() }
  document.addEventListener('visibilitychange', onVisible)
  return () => {
    clearInterval(timer)
    document.removeEventListener('visibilitychange', onVisible)
  }
}
