// The key bootstrap of SPEC §11.6, run as the CLI twice into a temporary run dir: what it writes, with which
// modes, that a second run changes nothing, and that the keys it writes are usable.
import { execFileSync } from 'node:child_process'
import { createPrivateKey, createPublicKey, sign, verify } from 'node:crypto'
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { apiKeyChecksum, parseApiKey } from '@robbie/contracts'
import { readFleet } from '../../scripts/lib/fleet.mjs'
import type { SigningKey } from '../../scripts/bootstrap.js'

const ROOT = resolve(import.meta.dirname, '..', '..')
const services = readFleet(ROOT, {}).services.map((s) => s.name)
const expected = ['jwt-signing.json', 'apikey-pepper', 'audit-hmac', 'audit-checkpoint.json', 'secrets-master.key', ...services.map((s) => `svc-${s}.key`)]

function bootstrap (runDir: string, env: Record<string, string> = {}): string {
  return execFileSync(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts', 'bootstrap.ts')], {
    cwd: ROOT, encoding: 'utf8', env: { ...process.env, ROBBIE_RUN_DIR: runDir, ROBBIE_PRODUCTION: '', ...env }
  })
}

/** name → { mode, mtime, bytes } of every file in the keys folder. */
function snapshot (keysDir: string): Record<string, { mode: number, mtimeMs: number, bytes: string }> {
  return Object.fromEntries(readdirSync(keysDir).map((name) => {
    const st = statSync(join(keysDir, name))
    return [name, { mode: st.mode & 0o777, mtimeMs: st.mtimeMs, bytes: readFileSync(join(keysDir, name), 'base64') }]
  }))
}

describe('key bootstrap', () => {
  const dirs: string[] = []
  let runDir = ''
  let keysDir = ''
  let firstOutput = ''
  let first: ReturnType<typeof snapshot> = {}

  beforeAll(() => {
    runDir = mkdtempSync(join(tmpdir(), 'robbie-bootstrap-'))
    dirs.push(runDir)
    keysDir = join(runDir, 'keys')
    firstOutput = bootstrap(runDir)
    first = snapshot(keysDir)
  })
  afterAll(() => { for (const dir of dirs) rmSync(dir, { recursive: true, force: true }) })

  it('writes every key file: folder 0700, files 0600, and says so', () => {
    expect(Object.keys(first).sort()).toEqual([...expected].sort())
    expect(statSync(keysDir).mode & 0o777).toBe(0o700)
    for (const [name, file] of Object.entries(first)) expect({ name, mode: file.mode }).toEqual({ name, mode: 0o600 })
    expect(firstOutput).toContain('wrote jwt-signing.json')
    expect(firstOutput).toMatch(/BACK IT UP/)
  })

  it('a second run writes nothing and changes no byte', () => {
    const output = bootstrap(runDir)
    expect(snapshot(keysDir)).toEqual(first)
    expect(output).not.toContain('wrote')
    expect(output).toContain(`kept  ${expected.length} existing file(s)`)
  })

  it('adds only what is missing', () => {
    rmSync(join(keysDir, 'svc-chat.key'))
    const output = bootstrap(runDir)
    expect(output).toContain('wrote svc-chat.key')
    const now = snapshot(keysDir)
    for (const name of expected.filter((n) => n !== 'svc-chat.key')) expect(now[name]).toEqual(first[name])
    expect(parseApiKey(readFileSync(join(keysDir, 'svc-chat.key'), 'utf8'))?.type).toBe('svc')
  })

  it('writes no secrets master key in production', () => {
    const prodDir = mkdtempSync(join(tmpdir(), 'robbie-bootstrap-prod-'))
    dirs.push(prodDir)
    const output = bootstrap(prodDir, { ROBBIE_PRODUCTION: 'true' })
    expect(readdirSync(join(prodDir, 'keys'))).not.toContain('secrets-master.key')
    expect(output).not.toMatch(/BACK IT UP/)
  })

  it('service keys are well-formed svc keys, one per service, all different', () => {
    const keys = services.map((s) => readFileSync(join(keysDir, `svc-${s}.key`), 'utf8'))
    for (const key of keys) {
      expect(key).toHaveLength(61)
      expect(parseApiKey(key)?.type).toBe('svc')
    }
    expect(new Set(keys).size).toBe(services.length)
  })

  it('the API-key checksum matches the SPEC §2.3 test vector', () => {
    const body = 'robbie_pat_K7d2QmX9aB3cZx81LmQp0Rt5Vw2Ny6Hs4Jk9Df3Ga7Pe'
    expect(apiKeyChecksum(body)).toBe('3vdDHK')
    expect(parseApiKey(body + '3vdDHK')).toEqual({ type: 'pat', id: 'K7d2QmX9aB3c' })
    expect(parseApiKey(body.replace('K7d2', 'K7d3') + '3vdDHK')).toBeNull()
  })

  it('the JWT signing key and the audit checkpoint key are usable Ed25519 keys', () => {
    const { keys } = JSON.parse(readFileSync(join(keysDir, 'jwt-signing.json'), 'utf8')) as { keys: SigningKey[] }
    const checkpoint = JSON.parse(readFileSync(join(keysDir, 'audit-checkpoint.json'), 'utf8')) as SigningKey
    expect(keys).toHaveLength(1)
    for (const key of [keys[0]!, checkpoint]) {
      expect(key.kid).toMatch(/^[A-Za-z0-9_-]{43}$/)
      expect(Number.isNaN(Date.parse(key.createdAt))).toBe(false)
      expect(key.publicJwk).not.toHaveProperty('d')
      const priv = createPrivateKey({ key: key.privateJwk, format: 'jwk' })
      const pub = createPublicKey({ key: key.publicJwk, format: 'jwk' })
      expect(priv.asymmetricKeyType).toBe('ed25519')
      const data = Buffer.from('header.payload')
      const signature = sign(null, data, priv)
      expect(verify(null, data, pub, signature)).toBe(true)
      expect(verify(null, Buffer.from('header.other'), pub, signature)).toBe(false)
    }
  })

  it('pepper, audit HMAC key and master key are 32 random bytes in base64', () => {
    const values = ['apikey-pepper', 'audit-hmac', 'secrets-master.key'].map((n) => readFileSync(join(keysDir, n), 'utf8'))
    for (const value of values) expect(Buffer.from(value, 'base64')).toHaveLength(32)
    expect(new Set(values).size).toBe(3)
  })

  it('--rotate jwt puts a new key first and keeps the previous one', () => {
    const before = JSON.parse(readFileSync(join(keysDir, 'jwt-signing.json'), 'utf8')) as { keys: SigningKey[] }
    execFileSync(process.execPath, [join(ROOT, 'scripts', 'robbie.mjs'), 'bootstrap', '--rotate', 'jwt'], {
      cwd: ROOT, env: { ...process.env, ROBBIE_RUN_DIR: runDir }
    })
    const after = JSON.parse(readFileSync(join(keysDir, 'jwt-signing.json'), 'utf8')) as { keys: SigningKey[] }
    expect(after.keys).toHaveLength(2)
    expect(after.keys[1]).toEqual(before.keys[0])
    expect(after.keys[0]!.kid).not.toBe(before.keys[0]!.kid)
    expect(statSync(join(keysDir, 'jwt-signing.json')).mode & 0o777).toBe(0o600)
  })
})
