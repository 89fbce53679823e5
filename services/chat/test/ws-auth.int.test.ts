// Socket authentication over time (SPEC §3.1, §2.3): API keys with chat scopes, auth.expiring and auth.refresh,
// 4401 for an expired, revoked or denied credential, 4403 for a disabled user (auth.user.updated.v1).
import { beforeAll, describe, expect, it } from 'vitest'
import { buildEnvelope } from '@robbie/bus'
import { generateApiKey, ROLE_SCOPES, uuidv7 } from '@robbie/contracts'
import { mintAccessToken } from '@robbie/testing'
import { buildChatApp, connect, open, refused, user, type ChatTestApp } from './helper.js'

let t: ChatTestApp
beforeAll(async () => {
  t = await buildChatApp({ env: { ROBBIE_CHAT_EXPIRING_LEAD_MS: '1500', ROBBIE_CHAT_PING_MS: '200', ROBBIE_CHAT_IDLE_MS: '1000' } })
})

/** A well-formed personal key (shape and checksum) that the app's verifier knows. */
function apiKey (userId: string, scopes: string[]): { key: string, id: string } {
  const { key, id } = generateApiKey('pat')
  t.keys.set(key, { identity: { kind: 'user', id: userId, role: 'member', scopes, keyId: id }, expiresAt: null })
  return { key, id }
}

async function authEvent (data: Record<string, unknown>) {
  const envelope = buildEnvelope('auth', { type: 'auth.user.updated.v1', subject: { type: 'user', id: String(data.userId) }, data })
  await t.app.redis.client.xadd(t.app.redis.keys.stream('auth'), '*', 'type', envelope.type, 'envelope', JSON.stringify(envelope))
}

describe('API keys', () => {
  it('a key with chat:read and chat:write opens a socket; one without them is closed with 4403', async () => {
    const me = await user(t)
    const { client, welcome } = await open(t, apiKey(me.id, [...ROLE_SCOPES.member]).key)
    expect(welcome).toMatchObject({ type: 'welcome', user: { id: me.id } })
    await client.close()
    expect(await refused(t, apiKey(me.id, ['chat:read']).key)).toBe(4403)
  })

  it('a revoked key closes its sockets with 4401 (the revocation hint, then the revoked set)', async () => {
    const me = await user(t)
    const { key, id: keyId } = apiKey(me.id, [...ROLE_SCOPES.member])
    const { client } = await open(t, key)
    await t.app.redis.client.sadd(`${t.app.redis.prefix}auth:revoked-keys`, keyId)
    await t.app.redis.client.publish(t.app.redis.keys.hint('apikey-revoked'), JSON.stringify(keyId))
    expect((await client.closed).code).toBe(4401)
    expect(await refused(t, key)).toBe(4401)
  })
})

describe('access tokens', () => {
  it('sends auth.expiring before the token expires, then closes with 4401 without a refresh', async () => {
    const me = await user(t)
    const { client } = await open(t, await mintAccessToken({ sub: me.id, role: 'member', ttlS: 2 }))
    const expiring = await client.next((f) => f.type === 'auth.expiring')
    expect(expiring.seq).toBeGreaterThan(0)
    expect(Date.parse(expiring.expiresAt)).toBeGreaterThan(Date.now())
    expect((await client.closed).code).toBe(4401)
  })

  it('auth.refresh with a fresh token keeps the socket open past the old expiry', async () => {
    const me = await user(t)
    const { client } = await open(t, await mintAccessToken({ sub: me.id, role: 'member', ttlS: 2 }))
    await client.next((f) => f.type === 'auth.expiring')
    client.send({ type: 'auth.refresh', token: await mintAccessToken({ sub: me.id, role: 'member', ttlS: 300 }) })
    // past the first token's expiry: still answering
    await new Promise((resolve) => setTimeout(resolve, 2500))
    client.send({ type: 'ping', nonce: 'still here' })
    expect(await client.next((f) => f.type === 'pong')).toMatchObject({ nonce: 'still here' })
    // a token of someone else is refused and changes nothing
    client.send({ type: 'auth.refresh', token: await mintAccessToken({ sub: uuidv7(), role: 'member' }) })
    expect(await client.next((f) => f.type === 'error')).toMatchObject({ code: 'CHAT_UNAUTHENTICATED' })
    await client.close()
  })

  it('a session put on the denylist (logout, password change) is closed with 4401 at the next ping', async () => {
    const me = await user(t)
    const sid = uuidv7()
    const { client } = await open(t, await mintAccessToken({ sub: me.id, role: 'member', sid }))
    await t.app.redis.client.set(`${t.app.redis.prefix}auth:denied-sid:${sid}`, '1', 'EX', 60)
    expect((await client.closed).code).toBe(4401)
  })
})

describe('keep-alive', () => {
  it('pings; a socket that answers keeps going, one silent past the idle limit is closed', async () => {
    const me = await user(t)
    const silent = await connect(t.wsUrl, { autoPong: false })
    let pings = 0
    silent.ws.on('ping', () => { pings++ })
    silent.send({ type: 'hello', v: 1, token: me.token })
    await silent.next((f) => f.type === 'welcome')
    const { client: lively } = await open(t, me.token)
    expect(await silent.closed).toEqual({ code: 1000, reason: 'idle' })
    expect(pings).toBeGreaterThan(0)
    lively.send({ type: 'ping', nonce: 'alive' })
    expect(await lively.next((f) => f.type === 'pong')).toMatchObject({ nonce: 'alive' })
    await lively.close()
  })
})

describe('auth.user.updated.v1', () => {
  it('closes a disabled user\'s sockets with 4403, and a user with a new role\'s with 4401', async () => {
    const a = await user(t)
    const b = await user(t)
    const { client: ca } = await open(t, a.token)
    const { client: cb } = await open(t, b.token)
    await authEvent({ userId: a.id, role: 'member', status: 'disabled', version: 2 })
    expect((await ca.closed).code).toBe(4403)
    await authEvent({ userId: b.id, role: 'admin', status: 'active', version: 2 })
    expect((await cb.closed).code).toBe(4401)
  })
})
