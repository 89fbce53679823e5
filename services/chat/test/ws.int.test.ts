// The WebSocket protocol robbie.chat.v1 (SPEC §3.1) through a real port with the `ws` client: the upgrade
// checks, hello and welcome, sequence numbers, pings, bad frames, a streamed answer, idempotent sends, stop,
// resume after a disconnect, attach, the socket limit and the frame limit.
import { request as httpRequest } from 'node:http'
import { beforeAll, describe, expect, it, onTestFinished } from 'vitest'
import { uuidv7 } from '@robbie/contracts'
import { buildChatApp, connect, open, refused, turn, user, type ChatTestApp, type Frame } from './helper.js'

let t: ChatTestApp
beforeAll(async () => {
  t = await buildChatApp({ env: { ROBBIE_CHAT_HELLO_TIMEOUT_MS: '300' } })
})

/** The HTTP answer to an upgrade request (status and JSON body), for refusals before the socket opens. */
async function upgrade (headers: Record<string, string>): Promise<{ status: number, body: any }> {
  const url = new URL(t.wsUrl.replace('ws:', 'http:'))
  return await new Promise((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, path: '/ws', headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==', ...headers } })
    req.on('response', (res) => {
      let text = ''
      res.on('data', (c: Buffer) => { text += c.toString() })
      res.on('end', () => { resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }) })
    })
    req.on('upgrade', () => { reject(new Error('upgraded')) })
    req.on('error', reject)
    req.end()
  })
}

const fullText = Array.from({ length: 60 }, (_v, i) => `word${i}`).join(' ')
/** A long answer at 40 tokens/s, for the rest of the test. */
function slow () {
  t.ollama.set({ tokensPerSecond: 40, respond: () => fullText })
  onTestFinished(() => { t.ollama.set({ tokensPerSecond: 1000, respond: undefined }) })
}

const seqs = (frames: Frame[]) => frames.filter((f) => f.seq !== undefined).map((f) => f.seq!)

describe('opening the socket', () => {
  it('refuses an upgrade without the robbie.chat.v1 subprotocol: 400 CHAT_PROTOCOL_UNSUPPORTED', async () => {
    const none = await upgrade({ origin: 'http://localhost:3000' })
    expect([none.status, none.body.error.code]).toEqual([400, 'CHAT_PROTOCOL_UNSUPPORTED'])
    const other = await upgrade({ origin: 'http://localhost:3000', 'sec-websocket-protocol': 'graphql-ws' })
    expect([other.status, other.body.error.code]).toEqual([400, 'CHAT_PROTOCOL_UNSUPPORTED'])
  })

  it('refuses an Origin outside ROBBIE_PUBLIC_ORIGINS: 403', async () => {
    const res = await upgrade({ origin: 'https://evil.example', 'sec-websocket-protocol': 'robbie.chat.v1' })
    expect([res.status, res.body.error.code]).toEqual([403, 'CHAT_FORBIDDEN'])
  })

  it('closes with 4408 when no hello comes in time', async () => {
    const client = await connect(t.wsUrl)
    expect(client.ws.protocol).toBe('robbie.chat.v1')
    expect((await client.closed).code).toBe(4408)
  })

  it('closes with 4401 when the first frame is not hello, or its token is not valid', async () => {
    const a = await connect(t.wsUrl)
    a.send({ type: 'ping', nonce: 'x' })
    expect((await a.closed).code).toBe(4401)
    const b = await connect(t.wsUrl)
    b.send({ type: 'hello', v: 1, token: 'not-a-token' })
    expect((await b.closed).code).toBe(4401)
  })

  it('welcomes an access token with the session, the user, personality, mood and model status (no seq)', async () => {
    const me = await user(t, 'member', 'Max Member')
    const { client, welcome } = await open(t, me.token)
    expect(welcome).toMatchObject({
      type: 'welcome',
      resumed: false,
      protocol: 1,
      user: { id: me.id, name: 'Max Member', role: 'member' },
      personality: { gandhi: 5, flirty: 3, turbo: 5, auto: 3 },
      mood: 'friendly',
      modelAvailable: true,
      killswitch: false
    })
    expect(welcome.sessionId).toMatch(/^[0-9a-f-]{36}$/)
    expect(welcome.seq).toBeUndefined()
    expect(typeof welcome.ts).toBe('string')
    client.send({ type: 'ping', nonce: 'n-1' })
    const pong = await client.next((f) => f.type === 'pong')
    expect(pong).toMatchObject({ nonce: 'n-1' })
    expect(pong.seq).toBeUndefined()
    await client.close()
  })
})

describe('frames', () => {
  it('answers a bad frame with error CHAT_BAD_FRAME, and closes with 4400 at the third within 60 s', async () => {
    const me = await user(t)
    const { client } = await open(t, me.token)
    client.send({ type: 'nope' })
    const first = await client.next((f) => f.type === 'error')
    expect(first).toMatchObject({ code: 'CHAT_BAD_FRAME', seq: 1 })
    client.ws.send('{not json')
    await client.next((f) => f.type === 'error' && f.seq === 2)
    client.send({ type: 'chat.send', clientMsgId: 'not-a-uuid', conversationId: null, content: 'x' })
    expect((await client.closed).code).toBe(4400)
  })

  it('closes with 1009 on a frame over 256 KiB', async () => {
    const me = await user(t)
    const { client } = await open(t, me.token)
    client.ws.send('x'.repeat(256 * 1024 + 1))
    expect((await client.closed).code).toBe(1009)
  })

  it('refuses content over 32 000 characters with chat.error CHAT_CONTENT_TOO_LONG and stores nothing', async () => {
    const me = await user(t)
    const { client } = await open(t, me.token)
    const r = await turn(client, 'y'.repeat(32_001))
    expect(r.accepted).toMatchObject({ type: 'chat.error', code: 'CHAT_CONTENT_TOO_LONG', retryable: false })
    const { rows } = await t.app.db.query('SELECT id FROM messages WHERE user_id = $1', [me.id])
    expect(rows).toHaveLength(0)
    await client.close()
  })
})

describe('a conversation', () => {
  it('streams an answer: chat.accepted, numbered deltas, chat.done; seq grows by one; the turn is stored', async () => {
    const me = await user(t)
    const { client } = await open(t, me.token)
    const r = await turn(client, 'Hello there, Robbie')
    expect(r.accepted).toMatchObject({ type: 'chat.accepted' })
    expect(r.text).toBe('You said: Hello there, Robbie')
    const deltas = r.frames.filter((f) => f.type === 'chat.delta')
    expect(deltas.map((d) => d.index)).toEqual(deltas.map((_d, i) => i))
    expect(r.frames.findIndex((f) => f.type === 'mood' && f.mood === 'focused')).toBeLessThan(r.frames.indexOf(deltas[0]!))
    expect(r.done).toMatchObject({ reason: 'complete', model: 'default', usage: { tokensIn: expect.any(Number), tokensOut: expect.any(Number) } })
    const s = seqs(client.frames)
    expect(s).toEqual(s.map((_v, i) => s[0]! + i))
    const { rows } = await t.app.db.query('SELECT role, content, status, seq, model, tokens_out FROM messages WHERE conversation_id = $1 ORDER BY seq', [r.accepted.conversationId])
    expect(rows).toEqual([
      expect.objectContaining({ role: 'user', content: 'Hello there, Robbie', status: 'complete', seq: 1 }),
      expect.objectContaining({ role: 'assistant', content: 'You said: Hello there, Robbie', status: 'complete', seq: 2, model: 'default' })
    ])
    await client.close()
  })

  it('is idempotent by clientMsgId: a re-send gets the original chat.accepted and no second answer', async () => {
    const me = await user(t)
    const { client } = await open(t, me.token)
    const clientMsgId = uuidv7()
    const first = await turn(client, 'Only once please', null, clientMsgId)
    const calls = t.ollama.received.filter((r) => r.path === '/api/chat').length
    const from = client.frames.length
    client.send({ type: 'chat.send', clientMsgId, conversationId: null, content: 'Only once please' })
    const again = await client.next((f) => f.type === 'chat.accepted', from)
    expect(again).toMatchObject({ clientMsgId, conversationId: first.accepted.conversationId, userMessageId: first.accepted.userMessageId, assistantMessageId: first.accepted.assistantMessageId })
    client.send({ type: 'ping', nonce: 'after' })
    await client.next((f) => f.type === 'pong', from)
    expect(t.ollama.received.filter((r) => r.path === '/api/chat').length).toBe(calls)
    const { rows } = await t.app.db.query('SELECT id FROM messages WHERE conversation_id = $1', [first.accepted.conversationId])
    expect(rows).toHaveLength(2)
    await client.close()
  })
})

describe('stop, resume, attach', () => {
  it('chat.stop aborts the model call, keeps the partial text as `stopped`, and ends with chat.done stopped', async () => {
    slow()
    const me = await user(t)
    const { client } = await open(t, me.token)
    const aborted = t.ollama.aborted
    client.send({ type: 'chat.send', clientMsgId: uuidv7(), conversationId: null, content: 'Count for me' })
    const accepted = await client.next((f) => f.type === 'chat.accepted')
    await client.next((f) => f.type === 'chat.delta')
    client.send({ type: 'chat.stop', messageId: accepted.assistantMessageId })
    const done = await client.next((f) => f.type === 'chat.done')
    expect(done).toMatchObject({ messageId: accepted.assistantMessageId, reason: 'stopped' })
    const streamed = client.frames.filter((f) => f.type === 'chat.delta').map((f) => f.text).join('')
    const { rows } = await t.app.db.query('SELECT status, content FROM messages WHERE id = $1', [accepted.assistantMessageId])
    expect(rows[0]).toEqual({ status: 'stopped', content: streamed })
    expect(streamed.length).toBeGreaterThan(0)
    expect(streamed.length).toBeLessThan(fullText.length)
    await expect.poll(() => t.ollama.aborted).toBeGreaterThan(aborted)
    await client.close()
  })

  it('stopping a message that is not generating → CHAT_NOT_GENERATING; someone else\'s → CHAT_FORBIDDEN', async () => {
    const me = await user(t)
    const other = await user(t)
    const { client } = await open(t, me.token)
    const r = await turn(client, 'Quick one')
    client.send({ type: 'chat.stop', messageId: r.accepted.assistantMessageId })
    expect(await client.next((f) => f.type === 'chat.error')).toMatchObject({ code: 'CHAT_NOT_GENERATING', messageId: r.accepted.assistantMessageId, retryable: false })
    const { client: theirs } = await open(t, other.token)
    theirs.send({ type: 'chat.stop', messageId: r.accepted.assistantMessageId })
    expect(await theirs.next((f) => f.type === 'chat.error')).toMatchObject({ code: 'CHAT_FORBIDDEN' })
    await client.close()
    await theirs.close()
  })

  it('resumes after a dropped socket: every frame after lastSeq exactly once, then live; nothing lost or doubled', async () => {
    slow()
    const me = await user(t)
    const { client: a, welcome } = await open(t, me.token)
    a.send({ type: 'chat.send', clientMsgId: uuidv7(), conversationId: null, content: 'Count slowly' })
    const accepted = await a.next((f) => f.type === 'chat.accepted')
    await a.next((f) => f.type === 'chat.delta' && f.index >= 1)
    a.ws.terminate()
    await a.closed
    const lastSeq = Math.max(...a.frames.map((f) => f.seq ?? 0))
    const { client: b, welcome: again } = await open(t, me.token, { sessionId: welcome.sessionId, lastSeq })
    expect(again).toMatchObject({ type: 'welcome', resumed: true, sessionId: welcome.sessionId })
    await b.next((f) => f.type === 'chat.done')
    const all = [...a.frames.filter((f) => f.seq !== undefined), ...b.frames.filter((f) => f.seq !== undefined)]
    expect(all.map((f) => f.seq)).toEqual(all.map((_f, i) => i + 1))
    const deltas = all.filter((f) => f.type === 'chat.delta')
    expect(deltas.map((d) => d.index)).toEqual(deltas.map((_d, i) => i))
    const text = deltas.map((d) => d.text).join('')
    expect(text).toBe(fullText)
    const { rows } = await t.app.db.query('SELECT status, content FROM messages WHERE id = $1', [accepted.assistantMessageId])
    expect(rows[0]).toEqual({ status: 'complete', content: fullText })
    await b.close()
  })

  it('a resume that cannot be honoured (unknown session, someone else\'s, lastSeq ahead) starts a new session', async () => {
    const me = await user(t)
    const other = await user(t)
    const { client: a, welcome } = await open(t, me.token)
    await a.close()
    for (const [token, resume] of [[me.token, { sessionId: uuidv7(), lastSeq: 0 }], [other.token, { sessionId: welcome.sessionId, lastSeq: 0 }], [me.token, { sessionId: welcome.sessionId, lastSeq: 99 }]] as const) {
      const { client, welcome: w } = await open(t, token, resume)
      expect(w).toMatchObject({ resumed: false })
      expect(w.sessionId).not.toBe(welcome.sessionId)
      await client.close()
    }
  })

  it('chat.attach replays a streaming message from an index and follows it to chat.done', async () => {
    slow()
    const me = await user(t)
    const { client: a } = await open(t, me.token)
    a.send({ type: 'chat.send', clientMsgId: uuidv7(), conversationId: null, content: 'Count along' })
    const accepted = await a.next((f) => f.type === 'chat.accepted')
    await a.next((f) => f.type === 'chat.delta' && f.index >= 1)
    const { client: b } = await open(t, me.token)
    b.send({ type: 'chat.attach', messageId: accepted.assistantMessageId, fromIndex: 1 })
    await b.next((f) => f.type === 'chat.done')
    const got = b.frames.filter((f) => f.type === 'chat.delta')
    expect(got[0]!.index).toBe(1)
    expect(got.map((d) => d.index)).toEqual(got.map((_d, i) => i + 1))
    const firstText = a.frames.find((f) => f.type === 'chat.delta' && f.index === 0)!.text as string
    expect(firstText + got.map((d) => d.text).join('')).toBe(fullText)
    const stranger = await user(t)
    const { client: c } = await open(t, stranger.token)
    c.send({ type: 'chat.attach', messageId: accepted.assistantMessageId })
    expect(await c.next((f) => f.type === 'chat.error')).toMatchObject({ code: 'CHAT_MESSAGE_NOT_FOUND' })
    for (const x of [a, b, c]) await x.close()
  })
})

describe('limits', () => {
  it('allows 10 sockets per user and closes the 11th with 4429', async () => {
    const me = await user(t)
    const clients = []
    for (let i = 0; i < 10; i++) {
      const { client, welcome } = await open(t, me.token)
      expect(welcome.type).toBe('welcome')
      clients.push(client)
    }
    expect(await refused(t, me.token)).toBe(4429)
    await clients[0]!.close()
    const { welcome } = await open(t, me.token)
    expect(welcome.type).toBe('welcome')
    for (const c of clients) await c.close()
  })

  it('queues sends in one conversation (one generation at a time) and refuses a sixth waiting one: CHAT_TOO_MANY_PENDING', async () => {
    slow()
    const me = await user(t)
    const { client } = await open(t, me.token)
    client.send({ type: 'chat.send', clientMsgId: uuidv7(), conversationId: null, content: 'First' })
    const first = await client.next((f) => f.type === 'chat.accepted')
    const ids = Array.from({ length: 6 }, () => uuidv7())
    for (const id of ids) client.send({ type: 'chat.send', clientMsgId: id, conversationId: first.conversationId, content: `Then ${id}` })
    const answers = await Promise.all(ids.map(async (id) => await client.next((f) => (f.type === 'chat.accepted' || f.type === 'chat.error') && f.clientMsgId === id)))
    expect(answers.slice(0, 5).map((a) => a.type)).toEqual(Array(5).fill('chat.accepted'))
    expect(answers[5]).toMatchObject({ type: 'chat.error', code: 'CHAT_TOO_MANY_PENDING', retryable: true })
    expect(t.ollama.inflight()).toBe(1)
    for (const a of [first, ...answers.slice(0, 5)]) client.send({ type: 'chat.stop', messageId: a.assistantMessageId })
    for (const a of [first, ...answers.slice(0, 5)]) await client.next((f) => f.type === 'chat.done' && f.messageId === a.assistantMessageId)
    const dones = client.frames.filter((f) => f.type === 'chat.done').map((f) => f.messageId)
    expect(dones).toEqual([first, ...answers.slice(0, 5)].map((a) => a.assistantMessageId))
    await client.close()
  })
})
