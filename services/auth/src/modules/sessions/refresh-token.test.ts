import { describe, expect, it } from 'vitest'
import { newSecretToken, readRefreshCookie, refreshCookie, sha256 } from './refresh-token.js'

describe('refresh tokens', () => {
  it('are 256 random bits, base64url, and hashed with SHA-256', () => {
    const token = newSecretToken()
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(Buffer.from(token, 'base64url')).toHaveLength(32)
    expect(newSecretToken()).not.toBe(token)
    expect(sha256(token)).toHaveLength(32)
  })

  it('travel in a HttpOnly, Secure, SameSite=Strict cookie on /api/auth', () => {
    expect(refreshCookie('abc', 60.7)).toBe('robbie_rt=abc; Max-Age=60; Path=/api/auth; HttpOnly; Secure; SameSite=Strict')
    expect(refreshCookie('', -5)).toContain('Max-Age=0')
  })

  it('are read from a Cookie header among others, and only with a plausible shape', () => {
    const token = newSecretToken()
    expect(readRefreshCookie(`theme=dark; robbie_rt=${token}; other=1`)).toBe(token)
    expect(readRefreshCookie('robbie_rt=short')).toBeNull()
    expect(readRefreshCookie(`robbie_rt=${token}"; x`)).toBeNull()
    expect(readRefreshCookie(undefined)).toBeNull()
    expect(readRefreshCookie('xrobbie_rt=aaaaaaaaaaaaaaaaaaaaaaaa')).toBeNull()
  })
})
