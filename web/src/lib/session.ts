// The signed-in user and their access token (SPEC §2.1). The access token lives in memory only; the refresh
// token is the httpOnly cookie, so a reload restores the session with one POST /api/auth/refresh.
// Refreshes are single-flight inside a tab and serialised across tabs (Web Locks, when present); every tab hears
// the winner's token over a BroadcastChannel, so two tabs never spend the same rotating refresh token twice and
// nobody is logged out by surprise. Logging out in one tab logs out every tab.

export type Role = 'owner' | 'admin' | 'member'
export interface User { id: string, email: string, name: string, role: Role }
export interface Session { user: User }
/** The body of login, refresh, setup and invite-accept answers. */
export interface Grant { accessToken: string, expiresIn: number, user: User }

interface State { user: User, accessToken: string, expiresAt: number }
type Message = { type: 'grant', state: State } | { type: 'logout' }

/** A token this close to its expiry is refreshed before use rather than sent and refused. */
const EXPIRY_MARGIN_MS = 30_000

let state: State | null = null
let session: Session | null = null
let inflight: Promise<boolean> | null = null
const listeners = new Set<(s: Session | null) => void>()
const channel = typeof BroadcastChannel === 'undefined' ? null : new BroadcastChannel('robbie-session')

function set (next: State | null): void {
  const userChanged = JSON.stringify(next?.user ?? null) !== JSON.stringify(state?.user ?? null)
  state = next
  if (!userChanged) return
  session = next ? { user: next.user } : null
  for (const fn of listeners) fn(session)
}

channel?.addEventListener('message', (event: MessageEvent<Message>) => {
  const msg = event.data
  if (msg.type === 'grant') set(msg.state)
  else if (msg.type === 'logout') set(null)
})

export const getSession = (): Session | null => session

/** Called with the new session (or null) whenever the signed-in user changes; returns the unsubscribe. */
export function onSessionChange (fn: (s: Session | null) => void): () => void {
  listeners.add(fn)
  return () => { listeners.delete(fn) }
}

/** The current token as held, possibly expired (use `accessToken()` when it must be valid). */
export const getAccessToken = (): string | null => state?.accessToken ?? null

/** A token valid for at least 30 s (refreshing first if needed), or null when signed out: e.g. for the WS hello. */
export async function accessToken (): Promise<string | null> {
  if (state && state.expiresAt - Date.now() > EXPIRY_MARGIN_MS) return state.accessToken
  if (!state) return null
  return (await refresh()) ? getAccessToken() : null
}

/** Takes a login/setup/invite grant as the session of this tab and of every other tab. */
export function adoptGrant (grant: Grant): Session {
  const next: State = { user: grant.user, accessToken: grant.accessToken, expiresAt: Date.now() + grant.expiresIn * 1000 }
  set(next)
  channel?.postMessage({ type: 'grant', state: next } satisfies Message)
  return session!
}

/** Updates the displayed user (after PATCH /api/auth/me) without a new token. */
export function updateUser (user: Partial<User>): void {
  if (state) set({ ...state, user: { ...state.user, ...user } })
}

async function refreshNow (before: string | null): Promise<boolean> {
  // Another tab may have refreshed while this one waited for the lock: its token arrived by broadcast.
  if (state && state.accessToken !== before && state.expiresAt - Date.now() > EXPIRY_MARGIN_MS) return true
  let res: Response
  try {
    res = await fetch('/api/auth/refresh', { method: 'POST', credentials: 'same-origin' })
  } catch {
    return false // offline: keep what we have; the next call tries again
  }
  if (res.status === 200) {
    adoptGrant(await res.json() as Grant)
    return true
  }
  // 204: no cookie, so no session; 401: the refresh token is gone. Only this tab learns it: another tab that
  // still holds a good token keeps working until its own refresh fails.
  if (res.status === 204 || res.status === 401) set(null)
  return false
}

/**
 * Spends the refresh cookie once for every concurrent caller in this tab (and waits for other tabs). `stale` is
 * the token that was refused: when the session already holds another, still valid one, nothing is spent.
 */
export function refresh (stale: string | null = getAccessToken()): Promise<boolean> {
  if (state && state.accessToken !== stale && state.expiresAt - Date.now() > EXPIRY_MARGIN_MS) return Promise.resolve(true)
  if (inflight) return inflight
  const before = stale
  const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined
  const run = locks
    ? locks.request('robbie-refresh', async () => await refreshNow(before)) as unknown as Promise<boolean>
    : refreshNow(before)
  const shared = run.finally(() => { inflight = null })
  inflight = shared
  return shared
}

/** On boot: a session from the refresh cookie, or null when there is none. */
export async function restore (): Promise<Session | null> {
  if (session) return session
  await refresh()
  return session
}

/** Ends the session on the server (the cookie alone suffices) and in every tab. */
export async function logout (): Promise<void> {
  try {
    await fetch('/api/auth/logout', { method: 'POST', credentials: 'same-origin' })
  } finally {
    set(null)
    channel?.postMessage({ type: 'logout' } satisfies Message)
  }
}
