// Redaction before any model call and on model output (SPEC §3.5): stored secret values (through the secrets
// service's match) and credential patterns never reach the model, the stored messages, the frames or the logs.
import { beforeAll, describe, expect, it, onTestFinished } from 'vitest'
import { buildChatApp, open, turn, user, type ChatTestApp } from './helper.js'

let t: ChatTestApp
const SECRET = 'Sm7p-Passw0rd-Zeta-42'
beforeAll(async () => {
  t = await buildChatApp()
  t.internal.secrets.add(SECRET)
})

const everything = async (conversationId: string) => ({
  model: JSON.stringify(t.ollama.received),
  rows: JSON.stringify((await t.app.db.query('SELECT content FROM messages WHERE conversation_id = $1', [conversationId])).rows),
  logs: t.logs.text()
})

describe('input', () => {
  it('a stored secret typed into the chat never reaches the model or the stored message; the user is told', async () => {
    const me = await user(t)
    const { client } = await open(t, me.token)
    const r = await turn(client, `The SMTP password is ${SECRET}, please remember it. Mail olivia@example.com.`)
    const notice = r.frames.find((f) => f.type === 'chat.notice' && f.code === 'CHAT_REDACTED')
    expect(notice).toMatchObject({ messageId: r.accepted.userMessageId, text: '1 secret-like value was removed before storing and sending' })
    const { rows } = await t.app.db.query('SELECT content, redactions FROM messages WHERE id = $1', [r.accepted.userMessageId])
    expect(rows[0]).toEqual({ content: 'The SMTP password is [REDACTED:secret], please remember it. Mail olivia@example.com.', redactions: 1 })
    const seen = await everything(r.accepted.conversationId)
    for (const where of Object.values(seen)) expect(where).not.toContain(SECRET)
    expect(seen.model).toContain('olivia@example.com')
    expect(JSON.stringify(r.frames)).not.toContain(SECRET)
    await client.close()
  })

  it('credential patterns are redacted too, and counted', async () => {
    const me = await user(t)
    const { client } = await open(t, me.token)
    const r = await turn(client, 'login password=hunter2! and key AKIAIOSFODNN7EXAMPLE')
    expect(r.frames.find((f) => f.code === 'CHAT_REDACTED')?.text).toBe('2 secret-like values were removed before storing and sending')
    const call = t.ollama.received.filter((x) => x.path === '/api/chat').at(-1)!
    expect(call.rawBody).not.toContain('hunter2')
    expect(call.rawBody).not.toContain('AKIAIOSFODNN7EXAMPLE')
    expect(call.rawBody).toContain('password=[REDACTED:password] and key [REDACTED:aws_access_key]')
    await client.close()
  })

  it('when the secrets service cannot check, nothing is stored or sent: chat.error CHAT_UNAVAILABLE (retryable)', async () => {
    t.internal.secretsUp = false
    onTestFinished(() => { t.internal.secretsUp = true })
    const me = await user(t)
    const { client } = await open(t, me.token)
    const calls = t.ollama.received.length
    const r = await turn(client, 'A message with a longtoken12345 inside')
    expect(r.accepted).toMatchObject({ type: 'chat.error', code: 'CHAT_UNAVAILABLE', retryable: true })
    expect(t.ollama.received.length).toBe(calls)
    const { rows } = await t.app.db.query('SELECT id FROM messages WHERE user_id = $1', [me.id])
    expect(rows).toHaveLength(0)
    await client.close()
  })
})

describe('model output', () => {
  it('secrets in the answer are redacted before they are sent or stored, across chunk boundaries', async () => {
    const jwt = 'eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLWhlcmU'
    t.ollama.set({ respond: () => `Sure: the value is ${SECRET} and the token ${jwt} — anything else I can help with today?` })
    onTestFinished(() => { t.ollama.set({ respond: undefined }) })
    const me = await user(t)
    const { client } = await open(t, me.token)
    const r = await turn(client, 'What was it again?')
    expect(r.text).toBe('Sure: the value is [REDACTED:secret] and the token [REDACTED:jwt] — anything else I can help with today?')
    expect(r.frames.find((f) => f.code === 'CHAT_REDACTED' && f.messageId === r.accepted.assistantMessageId)?.text).toBe('2 secret-like values were removed before storing and sending')
    const { rows } = await t.app.db.query('SELECT content, redactions FROM messages WHERE id = $1', [r.accepted.assistantMessageId])
    expect(rows[0]).toEqual({ content: r.text, redactions: 2 })
    expect(JSON.stringify(client.frames)).not.toContain(SECRET)
    expect(t.logs.text()).not.toContain(SECRET)
    await client.close()
  })
})
