// Without Redis (SPEC §2.1): logout still ends the session in Postgres; role changes fail closed.
import { describe, expect, it } from 'vitest'
import { createServer } from 'node:net'
import { bearer, buildAuthApp } from './helper.js'
import { login, makeUser } from './factories.js'

// a port where nothing listens
const deadPort = await new Promise<number>((resolve) => {
  const server = createServer().listen(0, '127.0.0.1', () => {
    const { port } = server.address() as { port: number }
    server.close(() => { resolve(port) })
  })
})

const { app, ctx } = await buildAuthApp()
const { app: offline } = await buildAuthApp({ ctx: { ...ctx, env: { ...ctx.env, REDIS_URL: `redis://127.0.0.1:${deadPort}`, LOG_LEVEL: 'fatal' } } })

describe('with Redis unreachable', () => {
  it('logout still succeeds and revokes the session in Postgres', async () => {
    const user = await makeUser(app)
    const { cookie } = await login(app, user)
    const res = await offline.inject({ method: 'POST', url: '/api/auth/logout', headers: { cookie } })
    expect(res.statusCode).toBe(204)
    const rows = await app.db.query<{ revoked_reason: string }>('SELECT revoked_reason FROM sessions WHERE user_id = $1', [user.id])
    expect(rows.rows).toEqual([{ revoked_reason: 'logout' }])
    expect((await app.inject({ method: 'POST', url: '/api/auth/refresh', headers: { cookie } })).statusCode).toBe(401)
  })

  it('a role change answers 503 and changes nothing', async () => {
    const owner = await makeUser(app, { role: 'owner' })
    const member = await makeUser(app)
    const { accessToken } = await login(app, owner)
    const res = await offline.inject({ method: 'PATCH', url: `/api/auth/users/${member.id}`, headers: bearer(accessToken), payload: { role: 'admin' } })
    expect([res.statusCode, res.json().error.code]).toEqual([503, 'AUTH_UNAVAILABLE'])
    const row = await app.db.query<{ role: string }>('SELECT role FROM users WHERE id = $1', [member.id])
    expect(row.rows[0]!.role).toBe('member')
  })
})
