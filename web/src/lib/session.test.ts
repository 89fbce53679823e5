// The session rules that keep users signed in without surprises: one refresh for many callers, a retry after a
// 401, the same session in every tab, logout everywhere. `fetch` is a stand-in for the gateway (a platform API,
// not one of our modules); two imports of session.ts are two tabs on the same BroadcastChannel.
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest'

interface Call { url: string, method: string, authorization: string | null }
type Handler = (call: Call) => { status: number, body?: unknown }

let calls: Call[] = []
function gateway (handler: Handler) {
  calls = []
  vi.stubGlobal('fetch', async (url: string, init: RequestInit = {}) => {
    const headers = new Headers(init.headers)
    const call = { url, method: init.method ?? 'GET', authorization: headers.get('authorization') }
    calls.push(call)
    await new Promise((resolve) => setTimeout(resolve, 5)) // answers arrive later, as over a network
    const { status, body } = handler(call)
    return new Response(status === 204 || body === undefined ? null : JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })
  })
}

const user = { id: '0190a0a0-0000-7000-8000-000000000001', email: 'mia@example.com', name: 'Mia', role: 'member' as const }
let issued = 0
const grant = () => ({ accessToken: `token-${++issued}`, expiresIn: 900, user })

async function freshTab () {
  vi.resetModules()
  return { session: await import('./session.js'), api: await import('./api.js') }
}
const tick = async () => await new Promise((resolve) => setTimeout(resolve, 30))

beforeEach(() => { issued = 0 })
afterEach(() => { vi.unstubAllGlobals() })

describe('refresh', () => {
  test('ten concurrent callers spend the refresh cookie once', async () => {
    gateway((c) => c.url === '/api/auth/refresh' ? { status: 200, body: grant() } : { status: 404 })
    const { session } = await freshTab()
    const results = await Promise.all(Array.from({ length: 10 }, async () => await session.refresh()))
    expect(results.every(Boolean)).toBe(true)
    expect(calls.filter((c) => c.url === '/api/auth/refresh')).toHaveLength(1)
    expect(session.getAccessToken()).toBe('token-1')
  })

  test('a reload without a cookie (204) means signed out, and nothing is thrown', async () => {
    gateway(() => ({ status: 204 }))
    const { session } = await freshTab()
    await expect(session.restore()).resolves.toBeNull()
    expect(session.getSession()).toBeNull()
  })
})

describe('api', () => {
  test('a 401 refreshes once and retries with the new token; concurrent 401s share that refresh', async () => {
    gateway((c) => {
      if (c.url === '/api/auth/refresh') return { status: 200, body: grant() }
      return c.authorization === 'Bearer token-2' ? { status: 200, body: { ok: true } } : { status: 401, body: { error: { code: 'AUTH_UNAUTHENTICATED', message: 'expired', requestId: 'r' } } }
    })
    const { session, api } = await freshTab()
    session.adoptGrant(grant()) // token-1, which the server now refuses
    const answers = await Promise.all([1, 2, 3].map(async () => await api.api<{ ok: boolean }>('GET', '/api/priorities/surface')))
    expect(answers).toEqual([{ ok: true }, { ok: true }, { ok: true }])
    expect(calls.filter((c) => c.url === '/api/auth/refresh')).toHaveLength(1)
  })

  test('errors arrive as ApiError with the code; a second 401 ends the session', async () => {
    gateway((c) => c.url === '/api/auth/refresh'
      ? { status: 401, body: { error: { code: 'AUTH_REFRESH_INVALID', message: 'gone', requestId: 'r' } } }
      : { status: 401, body: { error: { code: 'AUTH_UNAUTHENTICATED', message: 'no', requestId: 'r1' } } })
    const { session, api } = await freshTab()
    session.adoptGrant(grant())
    const err = await api.api('GET', '/api/auth/me').catch((e: unknown) => e)
    expect(err).toBeInstanceOf(api.ApiError)
    expect(err).toMatchObject({ status: 401, code: 'AUTH_UNAUTHENTICATED', requestId: 'r1' })
    expect(session.getSession()).toBeNull()
  })

  test('a network failure is an ApiError with status 0, not a crash', async () => {
    vi.stubGlobal('fetch', async () => { throw new TypeError('fetch failed') })
    const { api } = await freshTab()
    await expect(api.api('GET', '/api/auth/setup', undefined, { auth: false })).rejects.toMatchObject({ status: 0, code: 'NETWORK_ERROR' })
  })
})

describe('two tabs', () => {
  test('a sign-in in one tab signs in the other; a logout in one signs out both', async () => {
    gateway(() => ({ status: 204 }))
    const a = await freshTab()
    const b = await freshTab()
    const seen: Array<string | null> = []
    b.session.onSessionChange((s) => { seen.push(s?.user.email ?? null) })

    a.session.adoptGrant(grant())
    await tick()
    expect(b.session.getSession()?.user.email).toBe('mia@example.com')
    expect(b.session.getAccessToken()).toBe('token-1') // the token came along: tab B need not refresh

    await a.session.logout()
    await tick()
    expect(b.session.getSession()).toBeNull()
    expect(seen).toEqual(['mia@example.com', null])
    expect(calls.map((c) => c.url)).toEqual(['/api/auth/logout'])
  })
})
