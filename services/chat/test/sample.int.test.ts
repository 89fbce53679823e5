// Sample data (SPEC §11.6): auth loads chat's share for the owner (5 notes, one per category, and the welcome
// conversation with one assistant message) and removes it again. Both calls are idempotent, every row is marked
// `sample`, removal leaves the owner's own notes and conversations alone, and only auth may call.
import { beforeAll, describe, expect, it } from 'vitest'
import { generateApiKey, uuidv7 } from '@robbie/contracts'
import { buildChatApp, codeOf, user, type ChatTestApp, type User } from './helper.js'

let t: ChatTestApp
let owner: User
const keyFor = (service: string) => {
  const made = generateApiKey('svc')
  t.keys.set(made.key, { identity: { kind: 'service', id: `svc:${service}`, scopes: [], keyId: made.id }, expiresAt: null })
  return made.key
}
let authKey: string

beforeAll(async () => {
  t = await buildChatApp()
  authKey = keyFor('auth')
  owner = await user(t, 'owner', 'Olivia Owner')
})

const url = '/internal/chat/sample-data'
const call = async (method: 'POST' | 'DELETE', key = authKey, ownerUserId = owner.id) =>
  await t.app.inject({ method, url, headers: { authorization: `Bearer ${key}` }, payload: { ownerUserId } })
const sampleNotes = async () => (await t.app.db.query('SELECT title, category, author, visibility, tags FROM notes WHERE sample AND user_id = $1 ORDER BY title', [owner.id])).rows

describe('loading', () => {
  it('loads five notes and the welcome conversation for the owner, once', async () => {
    const mine = await t.app.inject({ method: 'POST', url: '/api/chat/notes', headers: owner.headers, payload: { title: 'My own note' } })
    expect(mine.statusCode).toBe(201)

    const first = await call('POST')
    expect(first.statusCode).toBe(200)
    expect(first.json()).toEqual({ notes: 5, conversations: 1, loaded: true })
    expect((await call('POST')).json()).toEqual({ notes: 5, conversations: 1, loaded: true })

    const notes = await sampleNotes()
    expect(notes.map((n) => n.title)).toContain('Dana Reyes prefers calls before 10am')
    expect(notes.map((n) => n.title)).toContain('Board meeting cadence')
    expect(notes.map((n) => n.category).sort()).toEqual(['connections', 'drafts', 'ideas', 'intel', 'reference'])
    for (const n of notes) expect(n).toMatchObject({ author: 'user', visibility: 'private', tags: expect.arrayContaining(['sample']) })
    const listed = await t.app.inject({ method: 'GET', url: '/api/chat/notes?q=Dana', headers: owner.headers })
    expect(listed.json().items.map((n: { title: string }) => n.title)).toContain('Dana Reyes prefers calls before 10am')
  })

  it('makes the welcome conversation like any other: listed, one assistant message at seq 1, counted', async () => {
    const list = await t.app.inject({ method: 'GET', url: '/api/chat/conversations', headers: owner.headers })
    const welcome = list.json().items.find((c: { title: string }) => c.title === 'Welcome to Robbie')
    expect(welcome).toMatchObject({ channel: 'web', status: 'active', messageCount: 1, lastMessageAt: expect.any(String) })

    const messages = await t.app.inject({ method: 'GET', url: `/api/chat/conversations/${welcome.id}/messages`, headers: owner.headers })
    const [message, ...rest] = messages.json().items
    expect(rest).toEqual([])
    expect(message).toMatchObject({ seq: 1, role: 'assistant', status: 'complete', taint: false })
    expect(message.content).toMatch(/^Hi Olivia, I'm \*\*Robbie\*\*/)
    for (const command of ['`/priorities`', '`/task add ', '`/help`']) expect(message.content).toContain(command)

    const { rows } = await t.app.db.query("SELECT envelope FROM outbox WHERE type = 'chat.message.created.v1' AND envelope->'subject'->>'id' = $1", [message.id])
    expect(rows.map((r) => r.envelope.data)).toEqual([{ conversationId: welcome.id, messageId: message.id, role: 'assistant', channel: 'web' }])
  })

  it('completes a partial load, and two loads at once load once', async () => {
    await t.app.db.query("DELETE FROM notes WHERE sample AND user_id = $1 AND category = 'ideas'", [owner.id])
    const [a, b] = await Promise.all([call('POST'), call('POST')])
    expect([a.json(), b.json()]).toEqual([{ notes: 5, conversations: 1, loaded: true }, { notes: 5, conversations: 1, loaded: true }])
    expect((await sampleNotes()).map((n) => n.category).sort()).toEqual(['connections', 'drafts', 'ideas', 'intel', 'reference'])
  })
})

describe('removing', () => {
  it('removes exactly the sample rows with their messages, idempotently', async () => {
    const own = await t.app.inject({ method: 'POST', url: '/api/chat/conversations', headers: owner.headers, payload: { title: 'My own conversation' } })
    expect(own.statusCode).toBe(201)
    const { rows: before } = await t.app.db.query('SELECT m.id FROM messages m JOIN conversations c ON c.id = m.conversation_id WHERE c.sample')
    expect(before).toHaveLength(1)

    expect((await call('DELETE')).json()).toEqual({ notes: 0, conversations: 0, loaded: false })
    expect((await call('DELETE')).json()).toEqual({ notes: 0, conversations: 0, loaded: false })

    const notes = await t.app.db.query('SELECT title FROM notes WHERE user_id = $1', [owner.id])
    expect(notes.rows).toEqual([{ title: 'My own note' }])
    const conversations = await t.app.db.query('SELECT title FROM conversations WHERE user_id = $1', [owner.id])
    expect(conversations.rows).toEqual([{ title: 'My own conversation' }])
    const orphans = await t.app.db.query('SELECT id FROM messages WHERE id = $1', [before[0]!.id])
    expect(orphans.rows).toEqual([])
  })

  it('also removes sample rows loaded for an earlier owner', async () => {
    const earlier = uuidv7()
    expect((await call('POST', authKey, earlier)).json()).toEqual({ notes: 5, conversations: 1, loaded: true })
    expect((await call('DELETE')).json()).toEqual({ notes: 0, conversations: 0, loaded: false })
    const { rows } = await t.app.db.query('SELECT (SELECT count(*) FROM notes WHERE sample)::int AS notes, (SELECT count(*) FROM conversations WHERE sample)::int AS conversations')
    expect(rows[0]).toEqual({ notes: 0, conversations: 0 })
  })
})

describe('access', () => {
  it('is for auth alone: another service and the owner themself get 403', async () => {
    const priorities = keyFor('priorities')
    expect(codeOf(await call('POST', priorities))).toEqual([403, 'CHAT_FORBIDDEN'])
    expect(codeOf(await call('DELETE', priorities))[0]).toBe(403)
    const asOwner = await t.app.inject({ method: 'POST', url, headers: owner.headers, payload: { ownerUserId: owner.id } })
    expect(asOwner.statusCode).toBe(403)
    expect(await sampleNotes()).toEqual([])
  })

  it('refuses a body that is not an owner id with a coded 400', async () => {
    const res = await t.app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${authKey}` }, payload: { ownerUserId: 'not-a-uuid', extra: 1 } })
    expect(codeOf(res)).toEqual([400, 'CHAT_VALIDATION_FAILED'])
  })
})
