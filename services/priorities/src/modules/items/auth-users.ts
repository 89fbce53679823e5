// Assignee checks (SPEC §4.5) through auth's directory, GET /internal/auth/users?ids=, with this service's key.
// Unknown or disabled → false; auth unreachable → 503 PRIORITIES_UNAVAILABLE (never a silent accept).
import { readFileSync } from 'node:fs'
import { createServiceClient, genericError } from '@robbie/service-kit'

export function createAuthUsers (opts: { baseUrl: string, serviceKeyFile: string }) {
  let client: ReturnType<typeof createServiceClient> | undefined
  return {
    async isActive (userId: string): Promise<boolean> {
      client ??= createServiceClient({ caller: 'priorities', baseUrl: opts.baseUrl, serviceKey: readFileSync(opts.serviceKeyFile, 'utf8').trim() })
      const res = await client.request<{ items: Array<{ id: string, status: string }> }>('GET', `/internal/auth/users?ids=${encodeURIComponent(userId)}`)
      if (res.status !== 200 || !Array.isArray(res.body?.items)) throw genericError('priorities', 'UNAVAILABLE', 'Users could not be checked', { headers: { 'retry-after': '5' } })
      return res.body.items.some((u) => u.id === userId && u.status === 'active')
    }
  }
}
