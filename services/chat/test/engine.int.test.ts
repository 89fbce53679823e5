// The engine (SPEC §3.1, §3.4, §3.6, §3.7) against the fake Ollama node: what the model receives (identity,
// personality, facts, notes, history, headers, model alias and num_predict), commands that never reach it,
// the no-model answer, failures before and after text, and the event of every stored message.
import { beforeAll, describe, expect, it, onTestFinished } from 'vitest'
import { uuidv7 } from '@robbie/contracts'
import type { FakeReply } from '@robbie/testing'
import { buildChatApp, open, turn, user, type ChatTestApp, type User } from './helper.js'
import { NO_MODEL_TEXT } from '../src/modules/engine/generation.js'
import { GOLDEN_QUESTION } from '../src/modules/engine/sample.js'

let t: ChatTestApp
let owner: User
beforeAll(async () => {
  t = await buildChatApp()
  owner = await user(t, 'owner', 'Olivia Owner')
  t.internal.company.ownerUserId = owner.id
})

type Received = { model: string, messages: Array<{ role: string, content: string }>, options?: { num_predict?: number }, tools?: unknown[] }
const chatCalls = () => t.ollama.received.filter((r) => r.path === '/api/chat')
const lastCall = () => chatCalls().at(-1)!
const bodyOf = (r = lastCall()) => r.body as Received
const systemOf = (r = lastCall()) => bodyOf(r).messages[0]!.content

function script (reply: (req: { messages?: Array<{ role: string, content: string }> }) => string | FakeReply) {
  t.ollama.set({ respond: reply })
  onTestFinished(() => { t.ollama.set({ respond: undefined }) })
}

describe('what the model receives', () => {
  it('the owner: identity line, the four fragments, facts; the delegated token, the conversation and the interactive class', async () => {
    const { client } = await open(t, owner.token)
    const r = await turn(client, 'What matters today?')
    const call = lastCall()
    const system = systemOf(call)
    expect(system.split('\n')[0]).toBe('You are Robbie, executive assistant to Olivia Owner at Acme Test.')
    const personality = (await t.app.inject({ method: 'POST', url: '/api/chat/personality/preview', headers: owner.headers, payload: { sliders: { gandhi: 5, flirty: 3, turbo: 5, auto: 3 } } })).json()
    expect(system).toContain(personality.a.systemPrompt)
    expect(system).toContain('you are talking with Olivia Owner (role: owner)')
    expect(system).toContain('Time zone: Europe/Berlin')
    expect(bodyOf(call)).toMatchObject({ model: 'default', options: { num_predict: 1024 } })
    expect(bodyOf(call).messages.at(-1)).toEqual({ role: 'user', content: 'What matters today?' })
    expect(call.headers.authorization).toBe(`Bearer delegated.${owner.id}`)
    expect(call.headers['x-robbie-session']).toBe(r.accepted.conversationId)
    expect(call.headers['x-robbie-priority']).toBe('interactive')
    await client.close()
  })

  it('a member: "the company assistant, helping <name>"', async () => {
    const me = await user(t, 'member', 'Max Member')
    const { client } = await open(t, me.token)
    await turn(client, 'Hi')
    expect(systemOf().split('\n')[0]).toBe('You are Robbie, the company assistant at Acme Test, helping Max Member.')
    await client.close()
  })

  it('moving a slider changes the system prompt the model receives, and turbo 8–10 uses `fast` with 384 tokens', async () => {
    const me = await user(t)
    const { client } = await open(t, me.token)
    await turn(client, 'Before')
    const before = systemOf()
    const put = await t.app.inject({ method: 'PUT', url: '/api/chat/personality', headers: me.headers, payload: { turbo: 9 } })
    expect(put.statusCode).toBe(200)
    await client.next((f) => f.type === 'personality.changed')
    await turn(client, 'After')
    const after = systemOf()
    expect(after).not.toBe(before)
    expect(after).toContain('Turbo')
    expect(bodyOf()).toMatchObject({ model: 'fast', options: { num_predict: 384 } })
    await client.close()
  })

  it('without a `fast` model configured, turbo 8–10 falls back to `default`', async () => {
    const me = await user(t)
    await t.app.inject({ method: 'PUT', url: '/api/chat/personality', headers: me.headers, payload: { preset: 'firefighter' } })
    t.ollama.set({ models: [{ name: 'default', sizeMb: 1000, loaded: true }] })
    onTestFinished(() => { t.ollama.set({ models: [{ name: 'default', sizeMb: 1000, loaded: true }, { name: 'fast', sizeMb: 500, loaded: true }] }) })
    const { client } = await open(t, me.token)
    const r = await turn(client, 'Quick')
    expect(r.done).toMatchObject({ reason: 'complete' })
    expect(chatCalls().slice(-2).map((c) => bodyOf(c).model)).toEqual(['fast', 'default'])
    await client.close()
  })

  it('includes the history, oldest first, and relevant notes', async () => {
    const me = await user(t)
    const note = await t.app.inject({ method: 'POST', url: '/api/chat/notes', headers: me.headers, payload: { title: 'Zanzibar office', content: 'The Zanzibar office opens at nine.' } })
    expect(note.statusCode).toBe(201)
    const { client } = await open(t, me.token)
    const first = await turn(client, 'Remember the Zanzibar plan')
    await turn(client, 'When does Zanzibar open?', first.accepted.conversationId)
    const messages = bodyOf().messages
    expect(messages.slice(1).map((m) => [m.role, m.content])).toEqual([
      ['user', 'Remember the Zanzibar plan'],
      ['assistant', 'You said: Remember the Zanzibar plan'],
      ['user', 'When does Zanzibar open?']
    ])
    expect(systemOf()).toContain('- Zanzibar office: The Zanzibar office opens at nine.')
    await client.close()
  })
})

describe('the personality preview sample', () => {
  it('answers the golden question at both settings, at batch priority, and gives null without a model', async () => {
    const me = await user(t)
    const payload = { sliders: { gandhi: 5, flirty: 3, turbo: 5, auto: 3 }, compareWith: { gandhi: 5, flirty: 3, turbo: 9, auto: 3 }, sample: true }
    const res = (await t.app.inject({ method: 'POST', url: '/api/chat/personality/preview', headers: me.headers, payload })).json()
    expect(res.sample).toEqual({ a: `You said: ${GOLDEN_QUESTION}`, b: `You said: ${GOLDEN_QUESTION}` })
    const calls = chatCalls().slice(-2)
    expect(calls.map((c) => [c.headers['x-robbie-priority'], bodyOf(c).model])).toEqual([['batch', 'default'], ['batch', 'fast']])
    t.ollama.set({ models: [] })
    onTestFinished(() => { t.ollama.set({ models: [{ name: 'default', sizeMb: 1000, loaded: true }, { name: 'fast', sizeMb: 500, loaded: true }] }) })
    const none = (await t.app.inject({ method: 'POST', url: '/api/chat/personality/preview', headers: me.headers, payload })).json()
    expect(none.sample).toBeNull()
  })
})

describe('tools', () => {
  it('offers the tools; a tool call runs through ToolsApi, shows as chat.tool frames, and its result goes back to the model', async () => {
    const me = await user(t)
    await t.app.inject({ method: 'POST', url: '/api/chat/notes', headers: me.headers, payload: { title: 'Quokka facts', content: 'Quokkas live on Rottnest.' } })
    script((req) => {
      const last = req.messages?.at(-1)
      if (last?.role === 'tool') return `Here is what I found: ${last.content.includes('Rottnest') ? 'Rottnest' : 'nothing'}`
      return { content: '', tool_calls: [{ function: { name: 'note_search', arguments: { q: 'quokka' } } }] }
    })
    const { client } = await open(t, me.token)
    const r = await turn(client, 'Where do quokkas live?')
    const [first, second] = chatCalls().slice(-2).map((c) => bodyOf(c))
    expect((first!.tools as Array<{ function: { name: string } }>).map((x) => x.function.name)).toContain('note_search')
    expect(second!.messages.slice(-2).map((m) => m.role)).toEqual(['assistant', 'tool'])
    const tools = r.frames.filter((f) => f.type === 'chat.tool')
    expect(tools.map((f) => [f.call.tool, f.call.status])).toEqual([['note_search', 'running'], ['note_search', 'done']])
    expect(tools[0]!.call.id).toBe(tools[1]!.call.id)
    expect(r.text).toBe('Here is what I found: Rottnest')
    const stored = (await t.app.inject({ method: 'GET', url: `/api/chat/messages/${r.accepted.assistantMessageId}`, headers: me.headers })).json()
    expect(stored.toolCalls).toEqual([expect.objectContaining({ tool: 'note_search', status: 'done', id: tools[0]!.call.id })])
    await client.close()
  })
})

describe('commands and no model', () => {
  it('a `/` message never reaches the model and is answered and stored', async () => {
    const me = await user(t)
    const { client } = await open(t, me.token)
    const calls = chatCalls().length
    const r = await turn(client, '/help')
    expect(r.done).toMatchObject({ reason: 'complete' })
    expect(r.frames.some((f) => f.type === 'chat.delta' || f.type === 'chat.notice')).toBe(true)
    expect(chatCalls().length).toBe(calls)
    const { rows } = await t.app.db.query('SELECT status, content FROM messages WHERE id = $1', [r.accepted.assistantMessageId])
    expect(rows[0].status).toBe('complete')
    expect(rows[0].content.length).toBeGreaterThan(0)
    await client.close()
  })

  it('no node (503 GPU_COORDINATOR_NO_NODES): the message is stored and answered with CHAT_NO_MODEL', async () => {
    const me = await user(t)
    const { client } = await open(t, me.token)
    t.ollama.failNext({ kind: 'status', status: 503, message: 'GPU_COORDINATOR_NO_NODES: no GPU node is registered', paths: ['/api/chat'] })
    const r = await turn(client, 'Write me a poem')
    expect(r.frames.find((f) => f.type === 'chat.notice')).toMatchObject({ code: 'CHAT_NO_MODEL', text: NO_MODEL_TEXT, messageId: r.accepted.assistantMessageId })
    expect(r.done).toMatchObject({ reason: 'complete' })
    const { rows } = await t.app.db.query('SELECT role, status, content FROM messages WHERE conversation_id = $1 ORDER BY seq', [r.accepted.conversationId])
    expect(rows).toEqual([{ role: 'user', status: 'complete', content: 'Write me a poem' }, { role: 'notice', status: 'complete', content: NO_MODEL_TEXT }])
    await client.close()
  })

  it('no model at all (empty /api/tags): welcome.modelAvailable is false and free text gets the notice', async () => {
    t.ollama.set({ models: [] })
    onTestFinished(() => { t.ollama.set({ models: [{ name: 'default', sizeMb: 1000, loaded: true }, { name: 'fast', sizeMb: 500, loaded: true }] }) })
    const me = await user(t)
    const { client, welcome } = await open(t, me.token)
    expect(welcome.modelAvailable).toBe(false)
    const r = await turn(client, 'Anyone there?')
    expect(r.frames.find((f) => f.type === 'chat.notice')).toMatchObject({ code: 'CHAT_NO_MODEL', text: NO_MODEL_TEXT })
    await client.close()
  })
})

describe('failures', () => {
  it('a failure after text has streamed: chat.error CHAT_GENERATION_FAILED, chat.done error, the partial text kept as `failed`', async () => {
    script(() => Array.from({ length: 80 }, (_v, i) => `part${i}`).join(' '))
    t.ollama.failNext({ kind: 'die-mid-stream', afterChunks: 30 })
    const me = await user(t)
    const { client } = await open(t, me.token)
    const r = await turn(client, 'Go long')
    expect(r.frames.find((f) => f.type === 'chat.error')).toMatchObject({ code: 'CHAT_GENERATION_FAILED', messageId: r.accepted.assistantMessageId })
    expect(r.done).toMatchObject({ reason: 'error' })
    expect(r.text.length).toBeGreaterThan(0)
    const { rows } = await t.app.db.query('SELECT status, content FROM messages WHERE id = $1', [r.accepted.assistantMessageId])
    expect(rows[0]).toEqual({ status: 'failed', content: r.text })
    await client.close()
  })

  it('a busy mesh before any text: chat.error CHAT_MODEL_BUSY (retryable) and the message `failed`', async () => {
    t.ollama.failNext({ kind: 'status', status: 503, message: 'GPU_COORDINATOR_QUEUE_FULL: the queue is full', paths: ['/api/chat'] })
    const me = await user(t)
    const { client } = await open(t, me.token)
    const r = await turn(client, 'Busy?')
    expect(r.frames.find((f) => f.type === 'chat.error')).toMatchObject({ code: 'CHAT_MODEL_BUSY', retryable: true })
    expect(r.done).toMatchObject({ reason: 'error' })
    const { rows } = await t.app.db.query('SELECT status FROM messages WHERE id = $1', [r.accepted.assistantMessageId])
    expect(rows[0].status).toBe('failed')
    await client.close()
  })
})

describe('recovery', () => {
  /** A turn as a replica leaves it when it dies: rows written a minute ago, the answer still `streaming`. */
  async function orphan (u: User, queued: 'no' | 'waiting' | 'started') {
    const [cid, uid, aid] = [uuidv7(), uuidv7(), uuidv7()]
    const at = new Date(Date.now() - 60_000)
    await t.app.db.query("INSERT INTO conversations (id, user_id, title, created_at, updated_at, message_count) VALUES ($1, $2, 'orphan', $3, $3, 2)", [cid, u.id, at])
    await t.app.db.query(`INSERT INTO messages (id, conversation_id, user_id, seq, role, content, status, client_msg_id, reply_to, created_at, updated_at)
      VALUES ($1, $2, $3, 1, 'user', 'Are you still there?', 'complete', $4, NULL, $5, $5), ($6, $2, $3, 2, 'assistant', '', 'streaming', NULL, $1, $5, $5)`, [uid, cid, u.id, uuidv7(), at, aid])
    const p = t.app.redis.prefix
    if (queued !== 'no') {
      const job = { assistantMessageId: aid, userMessageId: uid, conversationId: cid, identity: { kind: 'user', id: u.id, role: u.role, scopes: ['chat:read', 'chat:write'] }, sessionId: null, channel: 'web' }
      await t.app.redis.client.hset(`${p}chat:job:${aid}`, 'job', JSON.stringify(job), ...(queued === 'started' ? ['started', '1'] : []))
      await t.app.redis.client.rpush(`${p}chat:q:${cid}`, aid)
    }
    return aid
  }
  const statusOf = async (id: string) => (await t.app.db.query('SELECT status, content FROM messages WHERE id = $1', [id])).rows[0]

  it('finishes a lost answer as failed, runs a queued one, and fails one whose runner died mid-answer', async () => {
    const me = await user(t)
    const lost = await orphan(me, 'no')
    const waiting = await orphan(me, 'waiting')
    const died = await orphan(me, 'started')
    expect(await t.app.jobs.runOnce('chat-recover-answers')).toBe('success')
    await expect.poll(async () => (await statusOf(waiting)).status).toBe('complete')
    await expect.poll(async () => (await statusOf(died)).status).toBe('failed')
    expect(await statusOf(lost)).toEqual({ status: 'failed', content: '' })
    expect((await statusOf(waiting)).content).toBe('You said: Are you still there?')
    const frames = (await t.app.redis.client.lrange(`${t.app.redis.prefix}chat:m:${lost}:f`, 0, -1)).map((f) => JSON.parse(f) as { type: string, reason?: string, code?: string })
    expect(frames.map((f) => [f.type, f.code ?? f.reason])).toEqual([['chat.error', 'CHAT_GENERATION_FAILED'], ['chat.done', 'error']])
  })
})

describe('events', () => {
  it('chat.message.created.v1 for the user message and the answer, private, with ids and no content', async () => {
    const me = await user(t)
    const { client } = await open(t, me.token)
    const r = await turn(client, 'Secretive content here')
    const { rows } = await t.app.db.query("SELECT envelope FROM outbox WHERE type = 'chat.message.created.v1' AND envelope->'data'->>'conversationId' = $1 ORDER BY id", [r.accepted.conversationId])
    expect(rows.map((x: { envelope: { data: unknown, visibility: string } }) => [x.envelope.data, x.envelope.visibility])).toEqual([
      [{ conversationId: r.accepted.conversationId, messageId: r.accepted.userMessageId, role: 'user', channel: 'web' }, 'private'],
      [{ conversationId: r.accepted.conversationId, messageId: r.accepted.assistantMessageId, role: 'assistant', channel: 'web' }, 'private']
    ])
    expect(JSON.stringify(rows)).not.toContain('Secretive')
    await client.close()
  })
})
