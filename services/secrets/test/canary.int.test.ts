// No plaintext anywhere (SPEC §5.2, CONVENTIONS §6 "Prove it"): 1,000 secrets hold a canary string; after
// writes, reveals, resolves and matches, the canary appears 0 times in a pg_dump of the database, in Redis
// (every key and value under the test prefix), in every captured log line and in the audit rows.
import { execFile } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { testContext } from '@robbie/testing'
import { asRole, bearer, buildSecretsApp, serviceKey } from './helper.js'
import { makeSecret } from './factories.js'

const ctx = await testContext('secrets', { ROBBIE_RATE_LIMIT_MULTIPLIER: '1000', LOG_LEVEL: 'debug' })
const { app, logs } = await buildSecretsApp({ ctx })
const CANARY = `CANARY-${randomUUID()}`
const owner = await asRole('owner')

/** Every form the canary could take in storage: text, hex (bytea output), base64. */
const forms = [CANARY, Buffer.from(CANARY).toString('hex'), Buffer.from(CANARY).toString('base64').slice(0, 40)]
const count = (text: string) => forms.reduce((n, f) => n + text.split(f).length - 1, 0)

async function redisDump (prefix: string): Promise<string> {
  const redis = app.redis.client
  const out: string[] = []
  {
    let cursor = '0'
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500)
      cursor = next
      for (const key of keys) {
        out.push(key)
        const type = await redis.type(key)
        if (type === 'string') out.push(String(await redis.getBuffer(key)))
        else if (type === 'hash') out.push(JSON.stringify(await redis.hgetall(key)))
        else if (type === 'list') out.push(JSON.stringify(await redis.lrange(key, 0, -1)))
        else if (type === 'set') out.push(JSON.stringify(await redis.smembers(key)))
        else if (type === 'zset') out.push(JSON.stringify(await redis.zrange(key, '0', '-1', 'WITHSCORES')))
        else if (type === 'stream') out.push(JSON.stringify(await redis.xrange(key, '-', '+')))
      }
    } while (cursor !== '0')
  }
  return out.join('\n')
}

describe('the canary', () => {
  it('appears nowhere but in the answers that reveal it', async () => {
    for (let i = 0; i < 1000; i++) {
      const service = i % 2 === 0 ? 'slack' : 'smtp'
      await makeSecret(app, { service, name: `canary-${i}` }, { value: `${CANARY}-${i}`, ...(i % 10 === 0 ? { metadata: { description: 'canary holder' } } : {}) })
    }
    // through HTTP: reveals, a new version, an internal resolve (fills the Redis metadata cache), a match
    for (const i of [0, 1, 500, 999]) {
      const res = await app.inject({ method: 'POST', url: `/api/secrets/entries/${i % 2 === 0 ? 'slack' : 'smtp'}/canary-${i}/reveal`, headers: owner, payload: { reason: 'canary check' } })
      expect(res.json().value).toBe(`${CANARY}-${i}`)
    }
    expect((await app.inject({ method: 'PUT', url: '/api/secrets/entries/slack/canary-2', headers: owner, payload: { value: `${CANARY}-2b` } })).statusCode).toBe(200)
    const bot = bearer(serviceKey('slack-bot'))
    for (const i of [2, 4, 6]) {
      expect((await app.inject({ method: 'POST', url: '/internal/secrets/resolve', headers: bot, payload: { service: 'slack', name: `canary-${i}` } })).json().value).toContain(CANARY)
    }
    const match = await app.inject({ method: 'POST', url: '/internal/secrets/match', headers: bearer(serviceKey('chat')), payload: { candidates: [`${CANARY}-4`, 'not the canary'] } })
    expect(match.json()).toEqual({ matches: [0] })
    // let the relay publish the outbox to the Redis stream
    await new Promise((resolve) => setTimeout(resolve, 1500))

    const { stdout } = await promisify(execFile)('pg_dump', ['--no-owner', ctx.db.adminUrl], { maxBuffer: 512 * 1024 * 1024 })
    expect(stdout).toContain('secret_versions') // a real dump of this database
    expect(stdout).toContain('canary-999') // names are there…
    expect(count(stdout)).toBe(0) // …values are not

    const redis = await redisDump(ctx.prefix)
    expect(redis).toContain(`${ctx.prefix}secrets:resolve:slack/canary-2`) // the metadata cache is there
    expect(count(redis)).toBe(0)

    expect(logs.lines.length).toBeGreaterThan(10)
    expect(count(logs.text())).toBe(0)

    const audit = await app.db.query('SELECT * FROM audit_events')
    expect(audit.rows.filter((r) => r.action === 'secrets.reveal')).toHaveLength(4)
    expect(count(JSON.stringify(audit.rows))).toBe(0)
  }, 180_000)
})
