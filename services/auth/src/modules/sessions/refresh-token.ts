// Refresh tokens and other one-time secrets (invite tokens, setup codes): 256 random bits shown once, only
// their SHA-256 stored. The cookie of SPEC §2.1 carries the refresh token.
import { createHash, randomBytes } from 'node:crypto'

export const REFRESH_COOKIE = 'robbie_rt'
export const IDLE_TTL_MS = 7 * 24 * 3600_000
export const ABSOLUTE_TTL_MS = 30 * 24 * 3600_000
/** the immediate predecessor of the current token is still accepted this long after its rotation */
export const REUSE_GRACE_MS = 30_000

export const newSecretToken = (): string => randomBytes(32).toString('base64url')
export const sha256 = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest()

/** `Set-Cookie` for the refresh token; `maxAgeS` 0 clears it. */
export function refreshCookie (token: string, maxAgeS: number): string {
  return `${REFRESH_COOKIE}=${token}; Max-Age=${Math.max(0, Math.floor(maxAgeS))}; Path=/api/auth; HttpOnly; Secure; SameSite=Strict`
}

/** The refresh token from a `Cookie` header, if it has a plausible shape. */
export function readRefreshCookie (header: string | undefined): string | null {
  if (!header) return null
  for (const part of header.split(';')) {
    const eq = part.indexOf('=')
    if (eq < 0 || part.slice(0, eq).trim() !== REFRESH_COOKIE) continue
    const value = part.slice(eq + 1).trim()
    return /^[A-Za-z0-9_-]{20,100}$/.test(value) ? value : null
  }
  return null
}
