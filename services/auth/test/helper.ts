// Builds the auth app for a test file: its own database clone and Redis prefix, a movable clock, the setup
// code's console line captured, and a stand-in for API-key verification (service identities).
import { generateKeyPairSync, randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadConfig } from '@robbie/service-kit'
import { buildTestApp, testContext, type TestAppContext } from '@robbie/testing'
import { generateApiKey, type Identity } from '@robbie/contracts'
import { createApp } from '../src/app.js'
import { configSchema } from '../src/config.js'

export interface TestClock { now: () => Date, advance: (ms: number) => void, reset: () => void }

/** Real time plus an offset a test moves forward. */
export function testClock (): TestClock {
  let offset = 0
  return { now: () => new Date(Date.now() + offset), advance: (ms) => { offset += ms }, reset: () => { offset = 0 } }
}

/** Service keys that the stand-in verifier accepts, one per calling service. */
export const serviceKeys = new Map<string, string>()
const identities = new Map<string, Identity>()
export function serviceKey (service: string): string {
  let key = serviceKeys.get(service)
  if (!key) {
    const made = generateApiKey('svc')
    key = made.key
    serviceKeys.set(service, key)
    identities.set(key, { kind: 'service', id: `svc:${service}`, scopes: [], keyId: made.id })
  }
  return key
}

/** auth's own key files (API-key pepper, audit HMAC and checkpoint keys), as bootstrap writes them. */
export function authKeyFiles (): Record<string, string> {
  const dir = join(tmpdir(), `robbie-auth-test-${process.pid}`)
  const files = { ROBBIE_APIKEY_PEPPER_FILE: join(dir, 'apikey-pepper'), ROBBIE_AUDIT_HMAC_KEY_FILE: join(dir, 'audit-hmac'), ROBBIE_AUDIT_CHECKPOINT_KEY_FILE: join(dir, 'audit-checkpoint.json') }
  if (!existsSync(files.ROBBIE_AUDIT_CHECKPOINT_KEY_FILE)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 })
    writeFileSync(files.ROBBIE_APIKEY_PEPPER_FILE, randomBytes(32).toString('base64'), { mode: 0o600 })
    writeFileSync(files.ROBBIE_AUDIT_HMAC_KEY_FILE, randomBytes(32).toString('base64'), { mode: 0o600 })
    const { publicKey, privateKey } = generateKeyPairSync('ed25519')
    writeFileSync(files.ROBBIE_AUDIT_CHECKPOINT_KEY_FILE, JSON.stringify({ kid: 'test', privateJwk: privateKey.export({ format: 'jwk' }), publicJwk: publicKey.export({ format: 'jwk' }) }), { mode: 0o600 })
  }
  return files
}

export async function buildAuthApp (opts: { env?: Record<string, string>, ctx?: TestAppContext } = {}) {
  // every test logs in from 127.0.0.1: raise the per-address limits (as test fleets do, SPEC §0.5)
  const ctx = opts.ctx ?? await testContext('auth', { ROBBIE_RATE_LIMIT_MULTIPLIER: '1000', ...authKeyFiles(), ...opts.env })
  const clock = testClock()
  const printed: string[] = []
  const app = await buildTestApp(async () => await createApp(loadConfig(configSchema, ctx.env), {
    clock: clock.now,
    print: (line) => { printed.push(line) },
    verifyApiKey: async (key) => { const identity = identities.get(key); return identity ? { identity, expiresAt: null } : null }
  }))
  return { app, ctx, clock, printed, redis: app.redis.client }
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` })

/** The refresh token from a reply's Set-Cookie, as a Cookie header. */
export function refreshCookieOf (res: { headers: Record<string, unknown> }): string {
  const raw = res.headers['set-cookie']
  const header = Array.isArray(raw) ? raw.join('\n') : String(raw ?? '')
  const match = /robbie_rt=([A-Za-z0-9_-]+)/.exec(header)
  if (!match) throw new Error(`no refresh cookie in ${header}`)
  return `robbie_rt=${match[1]}`
}
