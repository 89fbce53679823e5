// Test rows made through auth's own repository and password hashing (never raw SQL in a test).
import type { FastifyInstance } from 'fastify'
import { uuidv7, type Role } from '@robbie/contracts'
import { createUsersRepository, type UserRow } from '../src/modules/users/users.repository.js'
import { hashPassword } from '../src/modules/sessions/password.js'
import { refreshCookieOf } from './helper.js'

let n = 0
export const PASSWORD = 'correct horse battery staple'

export async function makeUser (app: FastifyInstance, overrides: { role?: Role, email?: string, name?: string, password?: string, status?: 'active' | 'disabled' } = {}): Promise<UserRow & { password: string }> {
  const password = overrides.password ?? PASSWORD
  const user = await createUsersRepository(app.db).insert({
    id: uuidv7(),
    email: overrides.email ?? `user-${process.pid}-${++n}-${Math.random().toString(36).slice(2, 8)}@example.test`,
    name: overrides.name ?? `User ${n}`,
    role: overrides.role ?? 'member',
    status: overrides.status ?? 'active',
    passwordHash: await hashPassword(password),
    now: new Date()
  })
  return { ...user, password }
}

export async function login (app: FastifyInstance, user: { email: string, password: string }) {
  const res = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: user.email, password: user.password } })
  if (res.statusCode !== 200) throw new Error(`login failed: ${res.statusCode} ${res.body}`)
  const body = res.json<{ accessToken: string, expiresIn: number, user: { id: string } }>()
  return { accessToken: body.accessToken, cookie: refreshCookieOf(res), body }
}
