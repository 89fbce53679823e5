// `npm run robbie -- secrets-import`: a .env file into the vault through the service layer, run as the real
// command (node --import tsx scripts/secrets-import.ts) against this file's database clone and Redis prefix.
// Values never appear in its output, a bad line imports nothing, and a re-import writes only changed values.
import { execFile } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { mintAccessToken, testEnv } from '@robbie/testing'
import { EnvFileError, parseEnvFile } from '../../../scripts/secrets-import.js'
import { buildSecretsApp } from './helper.js'

const root = join(import.meta.dirname, '..', '..', '..')
const { app, ctx, keyFile } = await buildSecretsApp()
const owner = { authorization: `Bearer ${await mintAccessToken({ role: 'owner' })}` }
const dir = mkdtempSync(join(tmpdir(), 'robbie-secrets-import-'))
let files = 0

function envFile (text: string): string {
  const file = join(dir, `import-${++files}.env`)
  writeFileSync(file, text, { mode: 0o600 })
  return file
}
async function cli (args: string[]): Promise<{ code: number, out: string }> {
  const env = {
    PATH: process.env.PATH ?? '',
    DATABASE_URL: ctx.db.urlFor('secrets'),
    REDIS_URL: testEnv().redisUrl,
    ROBBIE_REDIS_PREFIX: ctx.prefix,
    ROBBIE_SECRETS_MASTER_KEY_FILE: keyFile!,
    ROBBIE_AUDIT_HMAC_KEY_FILE: ctx.env.ROBBIE_AUDIT_HMAC_KEY_FILE!,
    ROBBIE_RUN_DIR: dir
  }
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [join(root, 'scripts', 'robbie.mjs'), 'secrets-import', ...args], { cwd: root, env })
    return { code: 0, out: stdout + stderr }
  } catch (err) {
    const e = err as { code?: number, stdout?: string, stderr?: string }
    return { code: e.code ?? 1, out: (e.stdout ?? '') + (e.stderr ?? '') }
  }
}
async function reveal (service: string, name: string, query = ''): Promise<{ value: string, version: number }> {
  const res = await app.inject({ method: 'POST', url: `/api/secrets/entries/${service}/${name}/reveal${query}`, headers: owner, payload: { reason: 'import test' } })
  expect(res.statusCode).toBe(200)
  return res.json()
}

const SAMPLE = [
  '# mail relay',
  'export SMTP_PASSWORD=plain-canary-0001',
  "SMTP_USER = 'single canary-0002 #not a comment'",
  'SMTP_HOST="double\\tcanary-0003\\n"   # a comment',
  'SMTP_PEM="-----BEGIN canary-0004',
  'line two',
  '-----END"',
  'smtp.port=587 # inline comment',
  ''
].join('\n')
const VALUES = ['plain-canary-0001', 'single canary-0002', 'canary-0003', 'canary-0004', 'line two']

describe('parsing a .env file', () => {
  it('reads KEY=VALUE, export, both quotes (multi-line too), escapes and comments', () => {
    expect(parseEnvFile(SAMPLE).map((e) => [e.name, e.value, e.line])).toEqual([
      ['smtp_password', 'plain-canary-0001', 2],
      ['smtp_user', 'single canary-0002 #not a comment', 3],
      ['smtp_host', 'double\tcanary-0003\n', 4],
      ['smtp_pem', '-----BEGIN canary-0004\nline two\n-----END', 5],
      ['smtp.port', '587', 8]
    ])
  })

  it('refuses malformed lines by number, never quoting a value', () => {
    const bad = 'GOOD=fine-value\nno equals sign secret-canary-9\n_LEADING=secret-canary-8\nOPEN="secret-canary-7\n'
    let err: unknown
    try { parseEnvFile(bad) } catch (e) { err = e }
    expect(err).toBeInstanceOf(EnvFileError)
    const problems = (err as EnvFileError).problems
    expect(problems).toEqual([
      'line 2: not KEY=VALUE',
      'line 3: _LEADING: "_leading" is not a valid secret name (^[a-z0-9][a-z0-9_.-]{0,79}$)',
      'line 4: OPEN: the quote is never closed'
    ])
    expect((err as Error).message).not.toMatch(/secret-canary/)
    expect(() => parseEnvFile('A=1\na=2\n')).toThrow(/line 2: a: the name a was already set on line 1/)
    expect(() => parseEnvFile('EMPTY=\n')).toThrow(/line 1: EMPTY: the value is empty/)
  })
})

describe('secrets-import', () => {
  it('imports every key as a secret, prints names and versions only, audited as system:cli', async () => {
    const { code, out } = await cli(['--file', envFile(SAMPLE), '--service', 'smtp'])
    expect(code).toBe(0)
    expect(out).toContain('created smtp/smtp_password (global) version 1')
    expect(out).toContain('created smtp/smtp.port (global) version 1')
    expect(out).toContain('imported 5 secret(s) into smtp: 5 written, 0 unchanged')
    for (const v of VALUES) expect(out).not.toContain(v)
    expect(await reveal('smtp', 'smtp_pem')).toMatchObject({ value: '-----BEGIN canary-0004\nline two\n-----END', version: 1 })
    expect((await reveal('smtp', 'smtp_host')).value).toBe('double\tcanary-0003\n')
    const { rows } = await app.db.query<{ actor_type: string, actor_id: string, action: string, details: unknown }>(
      "SELECT actor_type, actor_id, action, details FROM audit_events WHERE resource_id LIKE 'smtp/smtp%' AND action = 'secrets.create'")
    expect(rows).toHaveLength(5)
    expect(rows.every((r) => r.actor_type === 'system' && r.actor_id === 'cli')).toBe(true)
    expect(JSON.stringify(rows)).not.toMatch(/canary/)
    const created = await app.db.query<{ created_by: string }>("SELECT DISTINCT created_by FROM secrets WHERE service = 'smtp' AND name LIKE 'smtp%'")
    expect(created.rows).toEqual([{ created_by: 'system:cli' }])
  })

  it('writes a new version on re-import only for a changed value', async () => {
    const first = envFile('API_KEY=value-one-canary\nOTHER_KEY=value-two-canary\nTINY=abc\n')
    expect((await cli(['--file', first, '--service', 'fireflies'])).code).toBe(0)
    const again = await cli(['--file', first, '--service', 'fireflies'])
    expect(again.out).toContain('unchanged fireflies/api_key (global) version 1')
    // values outside 8–4 096 characters have no value_hmac (SPEC §5.1): they always get a new version
    expect(again.out).toContain('updated fireflies/tiny (global) version 2')
    const changed = await cli(['--file', envFile('API_KEY=value-one-canary-changed\nOTHER_KEY=value-two-canary\n'), '--service', 'fireflies'])
    expect(changed.out).toContain('updated fireflies/api_key (global) version 2')
    expect(changed.out).toContain('unchanged fireflies/other_key (global) version 1')
    expect(changed.out).not.toMatch(/canary/)
    expect(await reveal('fireflies', 'api_key')).toMatchObject({ value: 'value-one-canary-changed', version: 2 })
  })

  it('imports into a company or node scope', async () => {
    const { code, out } = await cli(['--file', envFile('TOKEN=node-scoped-canary\n'), '--service', 'ollama', '--scope', 'node', '--scope-id', 'gpu-1'])
    expect([code, out]).toEqual([0, expect.stringContaining('created ollama/token (node gpu-1) version 1')])
    expect((await reveal('ollama', 'token', '?scope=node&scopeId=gpu-1')).value).toBe('node-scoped-canary')
  })

  it('writes nothing on a bad line, on --dry-run, or with a wrong master key', async () => {
    const bad = await cli(['--file', envFile('FIRST_OK=first-ok-canary\nbroken line-canary-x\n'), '--service', 'slack'])
    expect(bad.code).toBe(1)
    expect(bad.out).toContain('line 2: not KEY=VALUE')
    expect(bad.out).not.toMatch(/canary/)
    const dry = await cli(['--file', envFile('DRY_ONE=dry-canary-value\n'), '--service', 'slack', '--dry-run'])
    expect(dry.out).toContain('would import slack/dry_one (global)')
    expect(dry.out).not.toMatch(/canary/)
    const wrongKey = join(dir, 'wrong.key')
    writeFileSync(wrongKey, Buffer.alloc(32, 7).toString('base64'))
    const sealed = await promisify(execFile)(process.execPath, ['--import', 'tsx', join(root, 'scripts', 'secrets-import.ts'), '--file', envFile('X_KEY=wrong-key-canary\n'), '--service', 'slack'], {
      cwd: root, env: { PATH: process.env.PATH ?? '', DATABASE_URL: ctx.db.urlFor('secrets'), ROBBIE_SECRETS_MASTER_KEY_FILE: wrongKey, REDIS_URL: testEnv().redisUrl, ROBBIE_REDIS_PREFIX: ctx.prefix }
    }).then(() => 'ok', (e: { stderr: string }) => e.stderr)
    expect(sealed).toContain('no usable master key (key_mismatch)')
    const { rows } = await app.db.query("SELECT 1 FROM secrets WHERE service = 'slack'")
    expect(rows).toEqual([])
  })
})
