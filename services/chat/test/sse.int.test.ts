// The chat call for API clients (SPEC §3.2): POST /api/chat/messages as JSON (200 with both messages, or 202
// while it still streams) and as server-sent events named like the WS frames; GET a message with its text so
// far; POST /messages/:id/stop. Through a real port.
import { beforeAll, describe, expect, it, onTestFinished } from 'vitest'
import { generateApiKey, ROLE_SCOPES, uuidv7 } from '@robbie/contracts'
import { buildChatApp, user, type ChatTestApp, type User } from './helper.js'

let t: ChatTestApp
let later: ChatTestApp
beforeAll(async () => {
  t = await buildChatApp()
  later = await buildChatApp({ env: { ROBBIE_CHAT_SYNC_WAIT_MS: '0' } })
})

const base = (app: ChatTestApp) => app.wsUrl.replace('ws:', 'http:').replace(/\/ws$/, '/api/chat')
async function post (app: ChatTestApp, u: User | string, path: string, body?: unknown, accept = 'application/json') {
  const res = await fetch(`${base(app)}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${typeof u === 'string' ? u : u.token}`, accept, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {})
  })
  return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() }
}
const json = (r: { text: string }) => JSON.parse(r.text)
const get = async (app: ChatTestApp, u: User, path: string) => await app.app.inject({ method: 'GET', url: `/api/chat${path}`, headers: u.headers })

function slow (app: ChatTestApp) {
  app.ollama.set({ tokensPerSecond: 30, respond: () => Array.from({ length: 90 }, (_v, i) => `w${i}`).join(' ') })
  onTestFinished(() => { app.ollama.set({ tokensPerSecond: 1000, respond: undefined }) })
}

describe('JSON', () => {
  it('answers 200 with the user message and the complete answer; the same clientMsgId again gives the same turn', async () => {
    const me = await user(t)
    const clientMsgId = uuidv7()
    const res = await post(t, me, '/messages', { conversationId: null, content: 'Hello over REST', clientMsgId })
    expect(res.status).toBe(200)
    const body = json(res)
    expect(body.userMessage).toMatchObject({ role: 'user', content: 'Hello over REST', status: 'complete', seq: 1 })
    expect(body.assistantMessage).toMatchObject({ role: 'assistant', content: 'You said: Hello over REST', status: 'complete', seq: 2, conversationId: body.conversationId })
    const calls = t.ollama.received.length
    const again = json(await post(t, me, '/messages', { conversationId: null, content: 'Hello over REST', clientMsgId }))
    expect(again).toEqual(body)
    expect(t.ollama.received.length).toBe(calls)
  })

  it('an API key\'s conversation is on the `api` channel', async () => {
    const me = await user(t)
    const { key, id } = generateApiKey('pat')
    t.keys.set(key, { identity: { kind: 'user', id: me.id, role: 'member', scopes: [...ROLE_SCOPES.member], keyId: id }, expiresAt: null })
    const body = json(await post(t, key, '/messages', { conversationId: null, content: 'From a script', clientMsgId: uuidv7() }))
    expect((await get(t, me, `/conversations/${body.conversationId}`)).json()).toMatchObject({ channel: 'api' })
  })

  it('refuses bad input with coded 4xx and stores nothing', async () => {
    const me = await user(t)
    const other = await user(t)
    const theirs = json(await post(t, other, '/messages', { conversationId: null, content: 'mine', clientMsgId: uuidv7() }))
    const cases: Array<[unknown, number, string]> = [
      [{ conversationId: null, content: 'x'.repeat(32_001), clientMsgId: uuidv7() }, 400, 'CHAT_CONTENT_TOO_LONG'],
      [{ conversationId: null, content: 'x', clientMsgId: uuidv7(), extra: 1 }, 400, 'CHAT_VALIDATION_FAILED'],
      [{ conversationId: null, content: '', clientMsgId: uuidv7() }, 400, 'CHAT_VALIDATION_FAILED'],
      [{ conversationId: null, content: 'x' }, 400, 'CHAT_VALIDATION_FAILED'],
      [{ conversationId: theirs.conversationId, content: 'x', clientMsgId: uuidv7() }, 404, 'CHAT_CONVERSATION_NOT_FOUND']
    ]
    for (const [body, status, code] of cases) {
      const res = await post(t, me, '/messages', body)
      expect([res.status, json(res).error.code]).toEqual([status, code])
    }
    expect((await t.app.db.query('SELECT id FROM messages WHERE user_id = $1', [me.id])).rows).toHaveLength(0)
  })
})

describe('server-sent events', () => {
  it('streams accepted, deltas and done as events named like the frames', async () => {
    const me = await user(t)
    const res = await post(t, me, '/messages', { conversationId: null, content: 'Stream it', clientMsgId: uuidv7() }, 'text/event-stream')
    expect(res.status).toBe(200)
    expect(res.type).toContain('text/event-stream')
    const events = res.text.trim().split('\n\n').map((block) => {
      const [event, data] = block.split('\n')
      return { event: event!.replace('event: ', ''), data: JSON.parse(data!.replace('data: ', '')) }
    })
    expect(events[0]).toMatchObject({ event: 'accepted', data: { conversationId: expect.any(String), assistantMessageId: expect.any(String) } })
    expect(events.at(-1)).toMatchObject({ event: 'done', data: { reason: 'complete' } })
    expect(events.filter((e) => e.event === 'delta').map((e) => e.data.text).join('')).toBe('You said: Stream it')
  })
})

describe('202, the text so far, and stop', () => {
  it('answers 202 while streaming; GET shows the text so far; stop → 202, then `stopped`; again → 409; someone else → 403', async () => {
    slow(later)
    const me = await user(later)
    const res = await post(later, me, '/messages', { conversationId: null, content: 'Take your time', clientMsgId: uuidv7() })
    expect(res.status).toBe(202)
    const { assistantMessageId, status } = json(res)
    expect(status).toBe('streaming')
    await expect.poll(async () => (await get(later, me, `/messages/${assistantMessageId}`)).json().content.length).toBeGreaterThan(0)
    expect((await get(later, me, `/messages/${assistantMessageId}`)).json().status).toBe('streaming')
    const intruder = await user(later)
    const refused = await post(later, intruder, `/messages/${assistantMessageId}/stop`)
    expect([refused.status, json(refused).error.code]).toEqual([403, 'CHAT_FORBIDDEN'])
    const stop = await post(later, me, `/messages/${assistantMessageId}/stop`)
    expect([stop.status, json(stop)]).toEqual([202, { messageId: assistantMessageId, stopping: true }])
    await expect.poll(async () => (await get(later, me, `/messages/${assistantMessageId}`)).json().status).toBe('stopped')
    const again = await post(later, me, `/messages/${assistantMessageId}/stop`)
    expect([again.status, json(again).error.code]).toEqual([409, 'CHAT_NOT_GENERATING'])
  })
})
