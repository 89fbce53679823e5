// Accounts and keys for bench/chat.ts, made through the gateway the way people make them: the owner invites,
// each invitee accepts (sets a password, gets a session), then creates a personal API key with chat:read and
// chat:write. Many users because chat allows at most 10 sockets per user (SPEC §3.1), whatever the key.
import { randomBytes } from 'node:crypto'

export interface Api {
  (method: string, path: string, body?: unknown, token?: string): Promise<Record<string, unknown>>
}

export function gatewayApi (gateway: string): Api {
  return async (method, path, body, token) => {
    const res = await fetch(`${gateway}${path}`, {
      method,
      headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {})
    })
    const text = await res.text()
    if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${text.slice(0, 300)}`)
    return (text ? JSON.parse(text) : {}) as Record<string, unknown>
  }
}

/** The owner's access token, renewed by a new login well before its 15 minutes are up. */
export function ownerSession (api: Api, owner: { email: string, password: string }) {
  let token = ''
  let at = 0
  return async (): Promise<string> => {
    if (Date.now() - at > 8 * 60_000) {
      token = String((await api('POST', '/api/auth/login', owner)).accessToken)
      at = Date.now()
    }
    return token
  }
}

export interface BenchUser { email: string, key: string }

/** `count` members with one chat key each, `concurrency` at a time; progress every 100. */
export async function provisionUsers (api: Api, ownerToken: () => Promise<string>, count: number, concurrency: number): Promise<BenchUser[]> {
  const password = randomBytes(18).toString('base64url')
  const users: BenchUser[] = new Array<BenchUser>(count)
  let next = 0
  let done = 0
  async function one (i: number): Promise<void> {
    const email = `member${String(i).padStart(5, '0')}@bench.robbie.local`
    const invite = await api('POST', '/api/auth/invites', { email, role: 'member' }, await ownerToken())
    const token = String(invite.inviteUrl).split('#')[1] ?? ''
    const session = await api('POST', '/api/auth/invites/accept', { token, name: `Bench member ${i}`, password })
    const key = await api('POST', '/api/auth/keys', { name: 'bench-chat', scopes: ['chat:read', 'chat:write'], expiresInDays: 1 }, String(session.accessToken))
    users[i] = { email, key: String(key.key) }
    if (++done % 100 === 0) console.log(`  ${done}/${count} users`)
  }
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < count) await one(next++)
  }))
  return users
}
