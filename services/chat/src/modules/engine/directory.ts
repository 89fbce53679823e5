// What chat asks auth (SPEC §2.2, §2.3), with this service's key: the company profile (owner and company names
// for the identity line; evicted on auth.company.updated.v1), users' names, and delegated tokens for acting as
// a user (cached per user until a minute before they expire; a token lives at most 300 s).
import { readFileSync } from 'node:fs'
import { createServiceClient, genericError, type ServiceClient } from '@robbie/service-kit'

export interface Company { name: string, ownerUserId: string | null, ownerName: string | null, timeZone: string }
export interface DirectoryUser { id: string, email: string, name: string, role: string, status: string }

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

  function http (): ServiceClient {
    if (!opts.authUrl) throw unavailable('ROBBIE_AUTH_URL is not set')
    client ??= createServiceClient({ caller: 'chat', baseUrl: opts.authUrl, serviceKey: readFileSync(opts.serviceKeyFile, 'utf8').trim(), timeoutMs: 3000 })
    return client
  }

  async function delegate (userId: string): Promise<string> {
    const res = await http().request<{ token: string, expiresAt: string }>('POST', '/internal/auth/delegate', { body: { userId, ctx: 'web', ttlS: 300 } })
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
        const res = await http().request<Company>('GET', '/internal/auth/company')
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
        const res = await http().request<{ items: DirectoryUser[] }>('GET', `/internal/auth/users?ids=${encodeURIComponent(id)}`)
        if (res.status !== 200 || !Array.isArray(res.body?.items)) return hit?.value ?? null
        const value = res.body.items.find((u) => u.id === id) ?? null
        users.set(id, { value, until: now() + USER_MS })
        return value
      } catch {
        return hit?.value ?? null
      }
    },
    evictUser (id: string): void { users.delete(id); tokens.delete(id) },

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
