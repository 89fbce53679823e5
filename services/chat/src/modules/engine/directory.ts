// What chat asks auth (SPEC §2.2, §2.3), with this service's key: the company profile (owner and company names
// for the identity line, its time zone for `due:` words; evicted on auth.company.updated.v1), users' names, user
// search for `@name`, and delegated tokens for acting as a user (cached per user until a minute before they
// expire; a token lives at most 300 s). Chat's one auth client: the engine, the tools and the commands share it.
import { readFileSync } from 'node:fs'
import { createServiceClient, genericError, RobbieError, type ServiceClient } from '@robbie/service-kit'
import { refusal } from '../tools/clients.js'

export interface Company { name: string, ownerUserId: string | null, ownerName: string | null, timeZone: string }
export interface DirectoryUser { id: string, email: string, name: string, role: 'owner' | 'admin' | 'member', status: string }

const COMPANY_MS = 300_000
const USER_MS = 60_000
const TOKEN_MARGIN_MS = 60_000

export function createDirectory (opts: { authUrl?: string | undefined, serviceKeyFile: string, now?: () => number }) {
  const now = opts.now ?? Date.now
  let client: ServiceClient | undefined
  let company: { value: Company, until: number } | undefined
  const users = new Map<string, { value: DirectoryUser | null, until: number }>()
  const tokens = new Map<string, { token: string, until: number }>()
  const pendingTokens = new Map<string, Promise<string>>()
  const unavailable = (what: string) => genericError('chat', 'UNAVAILABLE', `The auth service is unavailable (${what})`, { headers: { 'retry-after': '5' } })

  async function request<T> (method: string, path: string, args: Parameters<ServiceClient['request']>[2] = {}) {
    if (!opts.authUrl) throw unavailable('ROBBIE_AUTH_URL is not set')
    client ??= createServiceClient({ caller: 'chat', baseUrl: opts.authUrl, serviceKey: readFileSync(opts.serviceKeyFile, 'utf8').trim(), timeoutMs: 3000 })
    try {
      return await client.request<T>(method, path, args)
    } catch (err) {
      if (err instanceof RobbieError) throw err
      throw unavailable('not a JSON reply') // not the service we expect
    }
  }

  async function delegate (userId: string): Promise<string> {
    const res = await request<{ token: string, expiresAt: string }>('POST', '/internal/auth/delegate', { body: { userId, ctx: 'web', ttlS: 300 } })
    if (res.status === 404) throw genericError('chat', 'FORBIDDEN', 'This user is not active')
    if (res.status !== 200 || typeof res.body?.token !== 'string') throw unavailable(`delegate ${res.status}`)
    tokens.set(userId, { token: res.body.token, until: Date.parse(res.body.expiresAt) - TOKEN_MARGIN_MS })
    return res.body.token
  }

  return {
    /** The company profile, or null when auth cannot say (the prompt then names no one). */
    async company (): Promise<Company | null> {
      if (company && company.until > now()) return company.value
      try {
        const res = await request<Company>('GET', '/internal/auth/company')
        if (res.status !== 200 || !res.body) return company?.value ?? null
        company = { value: { name: res.body.name, ownerUserId: res.body.ownerUserId, ownerName: res.body.ownerName, timeZone: res.body.timeZone }, until: now() + COMPANY_MS }
        return company.value
      } catch {
        return company?.value ?? null
      }
    },
    evictCompany (): void { company = undefined },

    /** One user's directory entry (name, role, status), or null when unknown or auth cannot say. */
    async user (id: string): Promise<DirectoryUser | null> {
      const hit = users.get(id)
      if (hit && hit.until > now()) return hit.value
      try {
        const res = await request<{ items: DirectoryUser[] }>('GET', `/internal/auth/users?ids=${encodeURIComponent(id)}`)
        if (res.status !== 200 || !Array.isArray(res.body?.items)) return hit?.value ?? null
        const value = res.body.items.find((u) => u.id === id) ?? null
        users.set(id, { value, until: now() + USER_MS })
        return value
      } catch {
        return hit?.value ?? null
      }
    },
    evictUser (id: string): void { users.delete(id); tokens.delete(id) },

    /** Active users whose name or email starts with `q` (2–100 chars; at most 20). */
    async findUsers (q: string): Promise<DirectoryUser[]> {
      const res = await request<{ items: DirectoryUser[] }>('GET', `/internal/auth/users?q=${encodeURIComponent(q)}`)
      if (res.status !== 200) throw unavailable(`users ${res.status}`)
      return res.body.items.filter((u) => u.status === 'active')
    },

    /** POST /api/auth/killswitch as the user (owner, admin): auth checks the role again. */
    async setKillswitch (token: string, body: { active: boolean, reason?: string }) {
      const res = await request<{ active: boolean, reason: string | null }>('POST', '/api/auth/killswitch', { token, body })
      if (res.status >= 500) throw unavailable(`killswitch ${res.status}`)
      if (res.status >= 400) throw refusal(res.status, res.body)
      return res.body
    },

    /** A delegated access token for the user (SPEC §2.3), for calls to other services' public routes. */
    async userToken (userId: string): Promise<string> {
      const hit = tokens.get(userId)
      if (hit && hit.until > now()) return hit.token
      let pending = pendingTokens.get(userId)
      if (!pending) {
        pending = delegate(userId).finally(() => { pendingTokens.delete(userId) })
        pendingTokens.set(userId, pending)
      }
      return await pending
    }
  }
}
export type Directory = ReturnType<typeof createDirectory>
