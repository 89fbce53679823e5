// Internal routes for service identities (SPEC §2.3, §5.3): each caller resolves its own namespaces only,
// every resolve is audited, the node is never taken from a header, and the match endpoint says only which
// candidates matched.
import { describe, expect, it } from 'vitest'
import { bearer, buildSecretsApp, codeOf, serviceKey } from './helper.js'
import { makeSecret } from './factories.js'

const { app } = await buildSecretsApp()
const keys = Object.fromEntries(['integration-sync', 'slack-bot', 'github-bot', 'gpu-coordinator', 'chat', 'priorities'].map((s) => [s, serviceKey(s)]))
const nodeKey = serviceKey('gpu-1', 'node')
const resolve = async (key: string, service: string, name: string, headers: Record<string, string> = {}) =>
  await app.inject({ method: 'POST', url: '/internal/secrets/resolve', headers: { ...bearer(key), ...headers }, payload: { service, name } })

await makeSecret(app, { service: 'smtp', name: 'password' }, { value: 'smtp-password-1' })
await makeSecret(app, { service: 'slack', name: 'bot-token' }, { value: 'xoxb-slack-token' })
await makeSecret(app, { service: 'github', name: 'token' }, { value: 'ghp_github_token' })
await makeSecret(app, { service: 'ollama', name: 'api-token' }, { value: 'ollama-global' })
await makeSecret(app, { service: 'ollama', name: 'api-token', scope: 'company', scopeId: 'acme' }, { value: 'ollama-company' })
await makeSecret(app, { service: 'ollama', name: 'api-token', scope: 'node', scopeId: 'gpu-1' }, { value: 'ollama-node-gpu-1' })
await makeSecret(app, { service: 'google', name: 'refresh-token' }, { value: 'google-refresh', managed: true, visibility: 'owner' })

describe('POST /internal/secrets/resolve', () => {
  it('lets each service resolve its own namespaces and refuses every other with 403', async () => {
    const own: Record<string, string[]> = { 'integration-sync': ['google', 'smtp', 'fireflies'], 'slack-bot': ['slack'], 'github-bot': ['github'], 'gpu-coordinator': ['ollama'] }
    const all = ['google', 'smtp', 'fireflies', 'slack', 'github', 'ollama', 'openai']
    for (const [caller, mine] of Object.entries(own)) {
      for (const ns of all) {
        const res = await resolve(keys[caller]!, ns, 'anything')
        // own namespace: 404 for a name that does not exist (never 403); others: 403
        expect(codeOf(res), `${caller} → ${ns}`).toEqual(mine.includes(ns) ? [404, 'SECRETS_NOT_FOUND'] : [403, 'SECRETS_FORBIDDEN'])
      }
    }
    expect((await resolve(keys['slack-bot']!, 'slack', 'bot-token')).json()).toEqual({ value: 'xoxb-slack-token', version: 1, scope: 'global', scopeId: '', overrideApplied: null, expiresAt: null })
    expect((await resolve(keys['integration-sync']!, 'google', 'refresh-token')).json().value).toBe('google-refresh') // managed: services read it
    expect(codeOf(await resolve(keys['slack-bot']!, 'github', 'token'))).toEqual([403, 'SECRETS_FORBIDDEN'])
    expect(codeOf(await resolve(keys['github-bot']!, 'slack', 'bot-token'))).toEqual([403, 'SECRETS_FORBIDDEN'])
    // not callers of this route at all, and people neither
    for (const key of [keys.chat!, keys.priorities!, nodeKey]) expect(codeOf(await resolve(key, 'ollama', 'api-token'))).toEqual([403, 'SECRETS_FORBIDDEN'])
  })

  it('takes the node from the key identity, never from a header', async () => {
    const res = await resolve(keys['gpu-coordinator']!, 'ollama', 'api-token', { 'x-robbie-node': 'gpu-1', 'x-node': 'gpu-1' })
    expect(res.json()).toMatchObject({ value: 'ollama-company', scope: 'company', scopeId: 'acme', overrideApplied: 'company' })
    expect(res.headers['cache-control']).toBe('no-store')
  })

  it('audits every resolve, granted or refused, without the value', async () => {
    await resolve(keys['github-bot']!, 'github', 'token')
    await resolve(keys['github-bot']!, 'smtp', 'password')
    const { rows } = await app.db.query("SELECT action, outcome, actor_id, details FROM audit_events WHERE actor_id = 'svc:github-bot' ORDER BY seq")
    expect(rows.some((r) => r.action === 'secrets.resolve' && r.outcome === 'success')).toBe(true)
    expect(rows.some((r) => r.action === 'access.denied' && r.outcome === 'denied')).toBe(true)
    expect(JSON.stringify(rows)).not.toContain('ghp_github_token')
  })
})

describe('PUT /internal/secrets/managed and POST /internal/secrets/match', () => {
  it('lets integration-sync write google/* only', async () => {
    const sync = keys['integration-sync']!
    const write = async (key: string, service: string) => await app.inject({ method: 'PUT', url: '/internal/secrets/managed', headers: bearer(key), payload: { service, name: 'access-token', value: 'ya29.access' } })
    expect((await write(sync, 'google')).statusCode).toBe(201)
    expect(codeOf(await write(sync, 'smtp'))).toEqual([403, 'SECRETS_FORBIDDEN'])
    expect(codeOf(await write(keys['slack-bot']!, 'google'))).toEqual([403, 'SECRETS_FORBIDDEN'])
    const { rows } = await app.db.query("SELECT managed, visibility FROM secrets WHERE service = 'google' AND name = 'access-token'")
    expect(rows).toEqual([{ managed: true, visibility: 'owner' }])
  })

  it('answers chat with the indices of candidates equal to a current value, nobody else', async () => {
    const match = async (candidates: string[], key = keys.chat!) => await app.inject({ method: 'POST', url: '/internal/secrets/match', headers: bearer(key), payload: { candidates } })
    expect((await match(['nothing-like-a-secret', 'smtp-password-1', 'xoxb-slack-token', 'ollama-node-gpu-1'])).json()).toEqual({ matches: [1, 2, 3] })
    expect(codeOf(await match(['smtp-password-1'], keys['slack-bot']!))).toEqual([403, 'SECRETS_FORBIDDEN'])
    expect(codeOf(await match(['short']))).toEqual([400, 'SECRETS_VALIDATION_FAILED'])
    // an old version no longer matches
    await makeSecret(app, { service: 'smtp', name: 'password' }, { value: 'smtp-password-2' })
    expect((await match(['smtp-password-1', 'smtp-password-2'])).json()).toEqual({ matches: [1] })
  })
})
