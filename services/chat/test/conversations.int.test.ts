// Conversations over REST (SPEC §3.2): create, list (own only, pinned first, archived apart, paged), rename,
// pin, archive, soft delete and purge; messages oldest-first pages; one message; search over one's own
// conversations only; the command list. Someone else's conversation or message is 404, like a missing one.
import type { InjectOptions } from 'fastify'
import { beforeAll, describe, expect, it } from 'vitest'
import { uuidv7 } from '@robbie/contracts'
import { buildChatApp, codeOf, open, turn, user, type ChatTestApp, type User } from './helper.js'

let t: ChatTestApp
let me: User
let other: User
beforeAll(async () => {
  t = await buildChatApp()
  me = await user(t)
  other = await user(t)
})

const api = async (u: User, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: Record<string, unknown>) =>
  await t.app.inject({ method, url: `/api/chat${url}`, headers: u.headers, ...(payload !== undefined ? { payload } : {}) } as InjectOptions)

async function chatIn (u: User, messages: string[]) {
  const { client } = await open(t, u.token)
  let conversationId: string | null = null
  const turns = []
  for (const m of messages) {
    const r = await turn(client, m, conversationId)
    conversationId = r.accepted.conversationId as string
    turns.push(r)
  }
  await client.close()
  return { conversationId: conversationId!, turns }
}

describe('conversations', () => {
  it('create, get, rename, pin, archive; list shows own active ones, pinned first; others see 404', async () => {
    const a = await api(me, 'POST', '/conversations', { title: 'Board prep' })
    expect(a.statusCode).toBe(201)
    expect(a.json()).toMatchObject({ title: 'Board prep', status: 'active', pinned: false, messageCount: 0, channel: 'web', lastMessageAt: null })
    const b = (await api(me, 'POST', '/conversations', {})).json()
    const id = a.json().id as string
    expect((await api(me, 'PATCH', `/conversations/${id}`, { pinned: true, title: 'Board prep Q3' })).json()).toMatchObject({ pinned: true, title: 'Board prep Q3' })
    const list = (await api(me, 'GET', '/conversations')).json()
    expect(list.items[0].id).toBe(id)
    expect(list.items.map((c: { id: string }) => c.id)).toContain(b.id)
    expect(list.nextCursor).toBeNull()
    expect((await api(other, 'GET', '/conversations')).json().items).toEqual([])
    for (const [method, payload] of [['GET', undefined], ['PATCH', { title: 'x' }], ['DELETE', undefined]] as const) {
      expect(codeOf(await api(other, method, `/conversations/${id}`, payload))).toEqual([404, 'CHAT_CONVERSATION_NOT_FOUND'])
    }
    await api(me, 'PATCH', `/conversations/${b.id}`, { status: 'archived' })
    expect((await api(me, 'GET', '/conversations')).json().items.map((c: { id: string }) => c.id)).not.toContain(b.id)
    expect((await api(me, 'GET', '/conversations?status=archived')).json().items.map((c: { id: string }) => c.id)).toEqual([b.id])
    expect((await api(me, 'GET', '/conversations?q=Q3')).json().items.map((c: { id: string }) => c.id)).toEqual([id])
  })

  it('pages with an opaque cursor; a bad cursor or limit is 400', async () => {
    const u = await user(t)
    for (let i = 0; i < 5; i++) await api(u, 'POST', '/conversations', { title: `c${i}` })
    const first = (await api(u, 'GET', '/conversations?limit=2')).json()
    const second = (await api(u, 'GET', `/conversations?limit=2&cursor=${first.nextCursor}`)).json()
    const third = (await api(u, 'GET', `/conversations?limit=2&cursor=${second.nextCursor}`)).json()
    expect([...first.items, ...second.items, ...third.items].map((c: { title: string }) => c.title)).toEqual(['c4', 'c3', 'c2', 'c1', 'c0'])
    expect(third.nextCursor).toBeNull()
    expect(codeOf(await api(u, 'GET', '/conversations?cursor=nope'))).toEqual([400, 'CHAT_VALIDATION_FAILED'])
    expect(codeOf(await api(u, 'GET', '/conversations?limit=201'))).toEqual([400, 'CHAT_VALIDATION_FAILED'])
    expect(codeOf(await api(u, 'PATCH', `/conversations/${first.items[0].id}`, {}))).toEqual([400, 'CHAT_VALIDATION_FAILED'])
  })

  it('delete is soft: gone from lists and reads at once, purged after 30 days with its messages', async () => {
    const { conversationId } = await chatIn(me, ['To be deleted'])
    const del = await api(me, 'DELETE', `/conversations/${conversationId}`)
    expect(del.statusCode).toBe(204)
    expect(codeOf(await api(me, 'GET', `/conversations/${conversationId}`))).toEqual([404, 'CHAT_CONVERSATION_NOT_FOUND'])
    expect(codeOf(await api(me, 'GET', `/conversations/${conversationId}/messages`))).toEqual([404, 'CHAT_CONVERSATION_NOT_FOUND'])
    expect((await t.app.db.query('SELECT status FROM conversations WHERE id = $1', [conversationId])).rows[0].status).toBe('deleted')
    await t.app.db.query("UPDATE conversations SET deleted_at = now() - interval '31 days' WHERE id = $1", [conversationId])
    expect(await t.app.jobs.runOnce('chat-purge-conversations')).toBe('success')
    expect((await t.app.db.query('SELECT id FROM messages WHERE conversation_id = $1', [conversationId])).rows).toHaveLength(0)
  })
})

describe('messages', () => {
  it('pages oldest first, back with `before`; one message by id; others\' are 404', async () => {
    const { conversationId, turns } = await chatIn(me, ['one', 'two', 'three'])
    const last = (await api(me, 'GET', `/conversations/${conversationId}/messages?limit=4`)).json()
    expect(last.items.map((m: { content: string }) => m.content)).toEqual(['two', 'You said: two', 'three', 'You said: three'])
    expect(last.items.map((m: { seq: number }) => m.seq)).toEqual([3, 4, 5, 6])
    const older = (await api(me, 'GET', `/conversations/${conversationId}/messages?limit=4&before=${last.items[0].id}`)).json()
    expect(older.items.map((m: { content: string }) => m.content)).toEqual(['one', 'You said: one'])
    expect(older.nextCursor).toBeNull()
    expect((await api(me, 'GET', `/conversations/${conversationId}/messages?limit=4&cursor=${last.nextCursor}`)).json().items).toEqual(older.items)
    const answer = (await api(me, 'GET', `/messages/${turns[0]!.accepted.assistantMessageId}`)).json()
    expect(answer).toMatchObject({ role: 'assistant', status: 'complete', content: 'You said: one', conversationId, taint: false, redactions: 0, model: 'default' })
    expect(typeof answer.tokensOut).toBe('number')
    expect(codeOf(await api(other, 'GET', `/messages/${answer.id}`))).toEqual([404, 'CHAT_MESSAGE_NOT_FOUND'])
    expect(codeOf(await api(me, 'GET', `/messages/${uuidv7()}`))).toEqual([404, 'CHAT_MESSAGE_NOT_FOUND'])
  })
})

describe('search', () => {
  it('finds words in one\'s own conversations only, newest first, with a snippet', async () => {
    const mine = await chatIn(me, ['The quarterly marmalade forecast looks sweet'])
    await chatIn(other, ['My own marmalade recipe'])
    const res = (await api(me, 'GET', '/search?q=marmalade')).json()
    expect(res.items.map((h: { conversationId: string }) => h.conversationId)).toEqual([mine.conversationId, mine.conversationId])
    expect(res.items[0]).toMatchObject({ role: 'assistant', messageId: mine.turns[0]!.accepted.assistantMessageId })
    expect(res.items[0].snippet).toContain('marmalade')
    expect(codeOf(await api(me, 'GET', '/search?q=m'))).toEqual([400, 'CHAT_VALIDATION_FAILED'])
  })
})

describe('commands', () => {
  it('lists the built-in commands', async () => {
    const res = await api(me, 'GET', '/commands')
    expect(res.statusCode).toBe(200)
    expect(res.json()).toMatchObject({ items: expect.any(Array), nextCursor: null })
  })
})
