// SPEC §3.8 through the routes and the service functions the tools use: CRUD, validation, the member boundary
// (someone else's private note is a 404), who edits company notes, the lock rules for people and for Robbie,
// full-text search and relevance, expiry and the purge job, paging, idempotency and the live hint.
import { beforeAll, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { createHints } from '@robbie/bus'
import { NOTES_PURGE_JOB, type NotesService } from '../src/modules/notes/index.js'
import type { NotesApi } from '../src/modules/assistant.types.js'
import { buildCb1App, codeOf, user, type User } from './cb1-helper.js'

let app: FastifyInstance
let notes: NotesApi & NotesService
beforeAll(async () => {
  ({ app, notes } = await buildCb1App({ env: { ROBBIE_RATE_LIMIT_MULTIPLIER: '1000' } }))
})
const url = '/api/chat/notes'
const create = async (u: User, payload: Record<string, unknown>) => {
  const res = await app.inject({ method: 'POST', url, headers: u.headers, payload })
  expect(res.statusCode).toBe(201)
  return res.json() as { id: string, [k: string]: unknown }
}
const robbie = (u: User) => ({ userId: u.id, role: u.role, by: 'robbie' as const })
const person = (u: User) => ({ userId: u.id, role: u.role, by: 'user' as const })
const expire = async (id: string, daysAgo: number) => { await app.db.query('UPDATE notes SET expires_at = now() - make_interval(days => $2) WHERE id = $1', [id, daysAgo]) }

describe('CRUD', () => {
  it('creates a private note with defaults and reads it back', async () => {
    const u = await user()
    const note = await create(u, { title: '  Board meeting prep ', content: 'Bring the **Q3** numbers' })
    expect(note).toMatchObject({
      userId: u.id,
      title: 'Board meeting prep',
      content: 'Bring the **Q3** numbers',
      category: 'reference',
      author: 'user',
      visibility: 'private',
      locked: false,
      tags: [],
      sourceRef: null,
      expiresAt: null
    })
    const got = await app.inject({ method: 'GET', url: `${url}/${note.id}`, headers: u.headers })
    expect(got.json()).toEqual(note)
  })

  it('updates fields, clears a source and deletes', async () => {
    const u = await user()
    const note = await create(u, { title: 'Vendor intel', category: 'intel', tags: ['acme'], sourceRef: { type: 'email', id: 'm-1', url: 'https://mail.example/1' } })
    const expiresAt = new Date(Date.now() + 86_400_000).toISOString()
    const patched = await app.inject({ method: 'PATCH', url: `${url}/${note.id}`, headers: u.headers, payload: { content: 'Acme raised prices', sourceRef: null, expiresAt, tags: ['acme', 'pricing'] } })
    expect(patched.statusCode).toBe(200)
    expect(patched.json()).toMatchObject({ title: 'Vendor intel', category: 'intel', content: 'Acme raised prices', sourceRef: null, expiresAt, tags: ['acme', 'pricing'] })
    expect(new Date(patched.json().updatedAt).getTime()).toBeGreaterThanOrEqual(new Date(note.updatedAt as string).getTime())
    expect((await app.inject({ method: 'DELETE', url: `${url}/${note.id}`, headers: u.headers })).statusCode).toBe(204)
    expect(codeOf(await app.inject({ method: 'GET', url: `${url}/${note.id}`, headers: u.headers }))).toEqual([404, 'CHAT_NOT_FOUND'])
  })

  it('refuses bad input with 400 and creates nothing', async () => {
    const u = await user()
    const bad = [
      {}, { title: '' }, { title: '   ' }, { title: 'x'.repeat(201) }, { title: 't', content: 'x'.repeat(20001) }, { title: 't', category: 'gossip' },
      { title: 't', visibility: 'owner' }, { title: 't', author: 'robbie' }, { title: 't', tags: ['x'.repeat(51)] },
      { title: 't', expiresAt: '2001-01-01T00:00:00Z' }, { title: 't', expiresAt: '2030-06-30T23:59:60Z' }, { title: 't', expiresAt: 'soon' },
      { title: 't', sourceRef: { type: 'email' } }, { title: 't', locked: 'yes' }
    ]
    for (const payload of bad) {
      expect([payload, ...codeOf(await app.inject({ method: 'POST', url, headers: u.headers, payload }))]).toEqual([payload, 400, 'CHAT_VALIDATION_FAILED'])
    }
    const note = await create(u, { title: 'Valid' })
    for (const payload of [{}, { title: '' }, { userId: u.id }, { expiresAt: '2001-01-01T00:00:00Z' }]) {
      expect(codeOf(await app.inject({ method: 'PATCH', url: `${url}/${note.id}`, headers: u.headers, payload }))).toEqual([400, 'CHAT_VALIDATION_FAILED'])
    }
    expect(codeOf(await app.inject({ method: 'GET', url: `${url}/not-a-uuid`, headers: u.headers }))).toEqual([400, 'CHAT_VALIDATION_FAILED'])
    expect(codeOf(await app.inject({ method: 'GET', url: `${url}?limit=0`, headers: u.headers }))).toEqual([400, 'CHAT_VALIDATION_FAILED'])
    expect((await app.inject({ method: 'GET', url, headers: u.headers })).json().items.map((n: { id: string }) => n.id)).toEqual([note.id])
  })

  it('honours Idempotency-Key: one note for two identical requests', async () => {
    const u = await user()
    const headers = { ...u.headers, 'idempotency-key': 'note-once' }
    const a = await app.inject({ method: 'POST', url, headers, payload: { title: 'Once' } })
    const b = await app.inject({ method: 'POST', url, headers, payload: { title: 'Once' } })
    expect(b.body).toBe(a.body)
    expect((await app.inject({ method: 'GET', url, headers: u.headers })).json().items).toHaveLength(1)
  })

  it('needs a credential', async () => {
    expect(codeOf(await app.inject({ method: 'GET', url }))).toEqual([401, 'CHAT_UNAUTHENTICATED'])
    expect(codeOf(await app.inject({ method: 'POST', url, payload: { title: 'x' } }))).toEqual([401, 'CHAT_UNAUTHENTICATED'])
  })
})

describe('visibility and who may change what', () => {
  it("hides another user's private note everywhere (404), even from the owner", async () => {
    const alice = await user()
    const bob = await user()
    const owner = await user('owner')
    const secret = await create(alice, { title: 'Salary negotiation notes', content: 'my raise target' })
    for (const viewer of [bob, owner]) {
      expect(codeOf(await app.inject({ method: 'GET', url: `${url}/${secret.id}`, headers: viewer.headers }))).toEqual([404, 'CHAT_NOT_FOUND'])
      expect(codeOf(await app.inject({ method: 'PATCH', url: `${url}/${secret.id}`, headers: viewer.headers, payload: { title: 'mine now' } }))).toEqual([404, 'CHAT_NOT_FOUND'])
      expect(codeOf(await app.inject({ method: 'DELETE', url: `${url}/${secret.id}`, headers: viewer.headers }))).toEqual([404, 'CHAT_NOT_FOUND'])
      const list = await app.inject({ method: 'GET', url: `${url}?q=salary&limit=200`, headers: viewer.headers })
      expect(list.json().items.map((n: { id: string }) => n.id)).not.toContain(secret.id)
      expect(await notes.relevant(viewer.id, 'salary negotiation', 5)).toEqual([])
    }
  })

  it('shares company notes for reading; members may not change others’ company notes, owner and admins may', async () => {
    const alice = await user()
    const bob = await user()
    const admin = await user('admin')
    const owner = await user('owner')
    const shared = await create(alice, { title: 'Office wifi', content: 'network guest-5g', visibility: 'company' })
    expect((await app.inject({ method: 'GET', url: `${url}/${shared.id}`, headers: bob.headers })).statusCode).toBe(200)
    expect(codeOf(await app.inject({ method: 'PATCH', url: `${url}/${shared.id}`, headers: bob.headers, payload: { content: 'hacked' } }))).toEqual([403, 'CHAT_FORBIDDEN'])
    expect(codeOf(await app.inject({ method: 'DELETE', url: `${url}/${shared.id}`, headers: bob.headers }))).toEqual([403, 'CHAT_FORBIDDEN'])
    const edited = await app.inject({ method: 'PATCH', url: `${url}/${shared.id}`, headers: admin.headers, payload: { content: 'network office-5g' } })
    expect(edited.json()).toMatchObject({ content: 'network office-5g', userId: alice.id, author: 'user' })
    expect((await app.inject({ method: 'DELETE', url: `${url}/${shared.id}`, headers: owner.headers })).statusCode).toBe(204)
  })
})

describe('locked notes', () => {
  it('people edit a locked note, but nobody deletes it until it is unlocked', async () => {
    const u = await user()
    const note = await create(u, { title: 'Keep forever', locked: true })
    const edited = await app.inject({ method: 'PATCH', url: `${url}/${note.id}`, headers: u.headers, payload: { content: 'still here' } })
    expect(edited.json()).toMatchObject({ locked: true, content: 'still here' })
    expect(codeOf(await app.inject({ method: 'DELETE', url: `${url}/${note.id}`, headers: u.headers }))).toEqual([409, 'CHAT_NOTE_LOCKED'])
    const owner = await user('owner')
    const shared = await create(u, { title: 'Locked and shared', locked: true, visibility: 'company' })
    expect(codeOf(await app.inject({ method: 'DELETE', url: `${url}/${shared.id}`, headers: owner.headers }))).toEqual([409, 'CHAT_NOTE_LOCKED'])
    await app.inject({ method: 'PATCH', url: `${url}/${note.id}`, headers: u.headers, payload: { locked: false } })
    expect((await app.inject({ method: 'DELETE', url: `${url}/${note.id}`, headers: u.headers })).statusCode).toBe(204)
  })

  it('Robbie changes only its own unlocked notes and never locks', async () => {
    const u = await user()
    const mine = await notes.createNote(robbie(u), { title: 'Jane prefers mornings', content: 'from the 3 May thread', category: 'connections', sourceRef: { type: 'email', id: 'm-9' } })
    expect(mine).toMatchObject({ author: 'robbie', userId: u.id, visibility: 'private', sourceRef: { type: 'email', id: 'm-9' } })
    expect(await notes.updateNote(robbie(u), mine.id, { content: 'confirmed twice' })).toMatchObject({ content: 'confirmed twice' })

    const written = await create(u, { title: 'My own thoughts' })
    await expect(notes.updateNote(robbie(u), written.id, { content: 'rewritten' })).rejects.toMatchObject({ code: 'CHAT_FORBIDDEN', statusCode: 403 })
    await expect(notes.deleteNote(robbie(u), written.id)).rejects.toMatchObject({ code: 'CHAT_FORBIDDEN' })
    await expect(notes.updateNote(robbie(u), mine.id, { locked: true })).rejects.toMatchObject({ code: 'CHAT_FORBIDDEN' })
    await expect(notes.createNote(robbie(u), { title: 'sneaky', locked: true })).rejects.toMatchObject({ code: 'CHAT_FORBIDDEN' })

    await app.inject({ method: 'PATCH', url: `${url}/${mine.id}`, headers: u.headers, payload: { locked: true } })
    await expect(notes.updateNote(robbie(u), mine.id, { content: 'changed' })).rejects.toMatchObject({ code: 'CHAT_NOTE_LOCKED', statusCode: 409 })
    await expect(notes.deleteNote(robbie(u), mine.id)).rejects.toMatchObject({ code: 'CHAT_NOTE_LOCKED' })
    expect((await notes.getNote(person(u), mine.id)).content).toBe('confirmed twice')

    const other = await user()
    const theirs = await notes.createNote(robbie(other), { title: 'Their memory' })
    await expect(notes.deleteNote(robbie(u), theirs.id)).rejects.toMatchObject({ code: 'CHAT_NOT_FOUND' })
    await notes.deleteNote(person(other), theirs.id) // the user undoes Robbie's note
    await expect(notes.getNote(person(other), theirs.id)).rejects.toMatchObject({ code: 'CHAT_NOT_FOUND' })
  })

  it('validates tool input like a request', async () => {
    const u = await user()
    await expect(notes.createNote(robbie(u), { title: 'x'.repeat(300) })).rejects.toMatchObject({ code: 'CHAT_VALIDATION_FAILED', statusCode: 400 })
    await expect(notes.createNote(robbie(u), { title: 'nul \u0000 inside' })).rejects.toMatchObject({ code: 'CHAT_VALIDATION_FAILED' })
    await expect(notes.getNote(person(u), 'nonsense')).rejects.toMatchObject({ code: 'CHAT_NOT_FOUND' })
    expect(await notes.searchNotes(person(u), 'anything at all')).toEqual([])
  })
})

describe('search, relevance and paging', () => {
  it('ranks full-text matches over title and content, with filters', async () => {
    const u = await user()
    const title = await create(u, { title: 'Kubernetes migration plan', category: 'ideas' })
    const body = await create(u, { title: 'Infra notes', content: 'we talked about kubernetes once', category: 'reference' })
    await create(u, { title: 'Lunch spots', content: 'tacos' })
    const res = await app.inject({ method: 'GET', url: `${url}?q=kubernetes`, headers: u.headers })
    expect(res.json().items.map((n: { id: string }) => n.id)).toEqual([title.id, body.id])
    const ideas = await app.inject({ method: 'GET', url: `${url}?q=kubernetes&category=ideas`, headers: u.headers })
    expect(ideas.json().items.map((n: { id: string }) => n.id)).toEqual([title.id])
    const byRobbie = await app.inject({ method: 'GET', url: `${url}?author=robbie`, headers: u.headers })
    expect(byRobbie.json().items).toEqual([])
    expect((await notes.searchNotes(person(u), '"migration plan"')).map((n) => n.id)).toEqual([title.id])
  })

  it('relevant(): any shared word, visible notes only, best first, at most limit', async () => {
    const u = await user()
    const other = await user()
    const best = await create(u, { title: 'Acme renewal', content: 'Acme renewal is due in March; Acme wants a discount' })
    const weaker = await create(u, { title: 'Pricing', content: 'discount policy' })
    const company = await create(other, { title: 'Acme contacts', visibility: 'company' })
    await create(other, { title: 'Acme private musings' })
    const found = await notes.relevant(u.id, 'What did Acme say about the renewal discount?', 5)
    expect(found.map((n) => n.id).sort()).toEqual([best.id, weaker.id, company.id].sort())
    expect(found[0]).toEqual({ id: best.id, title: 'Acme renewal', content: 'Acme renewal is due in March; Acme wants a discount' })
    expect(await notes.relevant(u.id, 'acme renewal discount', 1)).toHaveLength(1)
    expect(await notes.relevant(u.id, 'the and of', 5)).toEqual([])
    expect(await notes.relevant(u.id, '?!', 5)).toEqual([])
  })

  it('pages newest first and by rank, and refuses a forged cursor', async () => {
    const u = await user()
    const ids: string[] = []
    for (let i = 0; i < 5; i++) ids.push((await create(u, { title: `Roadmap item ${i}` })).id)
    const seen: string[] = []
    let cursor: string | null = null
    do {
      const page = (await app.inject({ method: 'GET', url: `${url}?limit=2${cursor ? `&cursor=${cursor}` : ''}`, headers: u.headers })).json() as { items: Array<{ id: string }>, nextCursor: string | null }
      seen.push(...page.items.map((n) => n.id))
      cursor = page.nextCursor
    } while (cursor)
    // company notes of other tests interleave: the user's own come newest first, each once
    expect(seen.filter((id) => ids.includes(id))).toEqual([...ids].reverse())
    expect(new Set(seen).size).toBe(seen.length)
    const first = await app.inject({ method: 'GET', url: `${url}?q=roadmap&limit=3`, headers: u.headers })
    const second = await app.inject({ method: 'GET', url: `${url}?q=roadmap&limit=3&cursor=${first.json().nextCursor}`, headers: u.headers })
    expect([...first.json().items, ...second.json().items].map((n: { id: string }) => n.id).sort()).toEqual([...ids].sort())
    expect(second.json().nextCursor).toBeNull()
    expect(codeOf(await app.inject({ method: 'GET', url: `${url}?cursor=bm9wZQ`, headers: u.headers }))).toEqual([400, 'CHAT_VALIDATION_FAILED'])
    expect(codeOf(await app.inject({ method: 'GET', url: `${url}?q=roadmap&cursor=${first.json().nextCursor.replace(/./, 'x')}`, headers: u.headers }))[0]).toBe(400)
  })
})

describe('expiry', () => {
  it('hides expired notes at once and purges them 30 days later', async () => {
    const u = await user()
    const fresh = await create(u, { title: 'Temporary door code', content: 'door code for the offsite' })
    const recent = await create(u, { title: 'Temporary parking', content: 'offsite parking' })
    const old = await create(u, { title: 'Temporary hotel', content: 'offsite hotel', locked: true })
    await expire(recent.id, 29)
    await expire(old.id, 31)
    expect(codeOf(await app.inject({ method: 'GET', url: `${url}/${recent.id}`, headers: u.headers }))).toEqual([404, 'CHAT_NOT_FOUND'])
    const mine = (await app.inject({ method: 'GET', url: `${url}?limit=200`, headers: u.headers })).json().items.filter((n: { userId: string }) => n.userId === u.id)
    expect(mine.map((n: { id: string }) => n.id)).toEqual([fresh.id])
    expect((await notes.relevant(u.id, 'offsite', 5)).map((n) => n.id)).toEqual([fresh.id])

    expect(await app.jobs.runOnce(NOTES_PURGE_JOB)).toBe('success')
    const { rows } = await app.db.query('SELECT id FROM notes WHERE id = ANY($1::uuid[]) ORDER BY id', [[fresh.id, recent.id, old.id]])
    expect(rows.map((r: { id: string }) => r.id)).toEqual([fresh.id, recent.id])
    const run = await app.db.query('SELECT outcome, counts FROM job_runs WHERE job = $1 ORDER BY started_at DESC LIMIT 1', [NOTES_PURGE_JOB])
    expect(run.rows[0].outcome).toBe('success')
    expect(run.rows[0].counts.purged).toBeGreaterThanOrEqual(1)
  })
})

describe('live hints', () => {
  it('tells the company about a company note and only the user about a private one', async () => {
    const u = await user()
    const hints = createHints({ redis: app.redis })
    const got: unknown[] = []
    let resolve!: () => void
    const two = new Promise<void>((_resolve) => { resolve = _resolve })
    const stop = await hints.onLive((payload) => { got.push(payload); if (got.length === 2) resolve() })
    try {
      const priv = await create(u, { title: 'Private idea' })
      const shared = await create(u, { title: 'Shared idea', visibility: 'company' })
      await two
      expect(got).toEqual([
        { userIds: [u.id], topic: 'notes', event: 'note.created', data: { id: priv.id } },
        { userIds: 'company', topic: 'notes', event: 'note.created', data: { id: shared.id } }
      ])
    } finally {
      await stop()
      await hints.close()
    }
  })
})
