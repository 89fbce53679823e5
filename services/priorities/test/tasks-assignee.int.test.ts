// Assignees are checked through auth's directory (SPEC §4.5): unknown or disabled → 404
// PRIORITIES_ASSIGNEE_NOT_FOUND and nothing created. Auth here is a stand-in HTTP server speaking its
// GET /internal/auth/users?ids= contract.
import { createServer, type Server } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { uuidv7 } from '@robbie/contracts'
import { buildPrioritiesApp, codeOf, user, type User } from './helper.js'

const active = uuidv7()
const disabled = uuidv7()
const statuses = new Map([[active, 'active'], [disabled, 'disabled']])
const calls: string[] = []
let auth: Server
let app: FastifyInstance
let me: User
beforeAll(async () => {
  auth = createServer((req, res) => {
    calls.push(req.url ?? '')
    const url = new URL(req.url ?? '/', 'http://x')
    if (url.pathname !== '/internal/auth/users' || !req.headers.authorization?.startsWith('Bearer ')) { res.writeHead(404).end(); return }
    const ids = (url.searchParams.get('ids') ?? '').split(',')
    const items = ids.filter((id) => statuses.has(id)).map((id) => ({ id, email: `${id}@example.com`, name: 'X', role: 'member', status: statuses.get(id) }))
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ items, nextCursor: null }))
  })
  await new Promise<void>((resolve) => auth.listen(0, '127.0.0.1', resolve))
  const port = (auth.address() as { port: number }).port;
  ({ app } = await buildPrioritiesApp({ env: { ROBBIE_AUTH_URL: `http://127.0.0.1:${port}` } }))
  me = await user('member')
})
afterAll(async () => { await new Promise((resolve) => auth.close(resolve)) })

describe('assignee check', () => {
  it('an active assignee is accepted', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/priorities/tasks', headers: me.headers, payload: { title: 'Assign to an active user', assigneeUserId: active } })
    expect(res.statusCode).toBe(201)
    expect(res.json().task.assigneeUserId).toBe(active)
    expect(calls.some((c) => c.includes(active))).toBe(true)
  })

  it('unknown or disabled assignees are 404 PRIORITIES_ASSIGNEE_NOT_FOUND and create nothing', async () => {
    for (const id of [disabled, uuidv7()]) {
      const title = `Assign to ${id}`
      const res = await app.inject({ method: 'POST', url: '/api/priorities/tasks', headers: me.headers, payload: { title, assigneeUserId: id } })
      expect(codeOf(res)).toEqual([404, 'PRIORITIES_ASSIGNEE_NOT_FOUND'])
      const { rows } = await app.db.query('SELECT id FROM items WHERE title = $1', [title])
      expect(rows).toHaveLength(0)
    }
  })
})
