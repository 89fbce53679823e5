// The one way screens call the gateway: JSON in and out, the access token attached, SPEC §0.2 errors thrown as
// ApiError. A 401 on a signed-in call refreshes the session once (shared with every concurrent caller, see
// session.ts) and retries; a second 401 means the session is over and the app shows the login screen.
import { accessToken, getSession, refresh } from './session.js'

export class ApiError extends Error {
  constructor (
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: Array<{ path: string, rule: string }>,
    readonly requestId?: string
  ) {
    super(message)
    this.name = 'ApiError'
  }
}

export interface ApiOptions {
  /** false for the public routes (login, setup, invite accept): no token, no refresh on 401 */
  auth?: boolean
  /** an Idempotency-Key (SPEC §0.3); `true` generates one */
  idempotencyKey?: string | true
  signal?: AbortSignal
  headers?: Record<string, string>
}

const newKey = (): string => crypto.randomUUID()

async function toError (res: Response): Promise<ApiError> {
  let body: unknown = null
  try { body = await res.json() } catch { /* not JSON: an nginx page or an empty body */ }
  const err = (body as { error?: { code?: unknown, message?: unknown, details?: unknown, requestId?: unknown } } | null)?.error
  if (err && typeof err.code === 'string') {
    return new ApiError(res.status, err.code, typeof err.message === 'string' ? err.message : err.code,
      Array.isArray(err.details) ? err.details as ApiError['details'] : undefined,
      typeof err.requestId === 'string' ? err.requestId : undefined)
  }
  return new ApiError(res.status, `HTTP_${res.status}`, `The server answered ${res.status}`)
}

async function send (method: string, path: string, body: unknown, opts: ApiOptions, token: string | null): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json', ...opts.headers }
  if (body !== undefined) headers['content-type'] = 'application/json'
  if (token) headers.authorization = `Bearer ${token}`
  if (opts.idempotencyKey) headers['idempotency-key'] = opts.idempotencyKey === true ? newKey() : opts.idempotencyKey
  try {
    return await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      signal: opts.signal
    })
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err
    throw new ApiError(0, 'NETWORK_ERROR', 'Robbie cannot be reached. Check your connection.')
  }
}

/** Calls `path` (e.g. `/api/auth/keys`) and returns the parsed JSON (undefined for 204), or throws ApiError. */
export async function api<T = unknown> (method: string, path: string, body?: unknown, opts: ApiOptions = {}): Promise<T> {
  const authed = opts.auth !== false
  // the same key on the retry, so a POST that did land the first time has no second effect
  const options = opts.idempotencyKey === true ? { ...opts, idempotencyKey: newKey() } : opts
  const token = authed ? await accessToken() : null
  let res = await send(method, path, body, options, token)
  if (res.status === 401 && authed && getSession() && (await refresh(token))) {
    res = await send(method, path, body, options, await accessToken())
  }
  if (!res.ok) throw await toError(res)
  if (res.status === 204) return undefined as T
  const text = await res.text()
  return (text ? JSON.parse(text) : undefined) as T
}

/** A query string from the defined, non-empty values: `qs({ limit: 50, cursor: null })` → `?limit=50`. */
export function qs (params: Record<string, string | number | boolean | null | undefined>): string {
  const search = new URLSearchParams()
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') search.set(k, String(v))
  const s = search.toString()
  return s ? `?${s}` : ''
}

/** A short human sentence for an error, for toasts and inline alerts. */
export function errorMessage (err: unknown): string {
  if (err instanceof ApiError) return err.message
  return 'Something went wrong. Please try again.'
}
