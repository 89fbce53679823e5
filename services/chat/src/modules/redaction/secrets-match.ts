// Exact-value matching through the secrets service (SPEC §3.5, §5.3): POST /internal/secrets/match with this
// service's key answers which candidates equal a stored secret value. Unreachable → 503 CHAT_UNAVAILABLE: a
// text that could not be checked is neither stored nor sent to a model.
import { readFileSync } from 'node:fs'
import { createServiceClient, genericError, type ServiceClient } from '@robbie/service-kit'
import { MAX_CANDIDATES_PER_CALL } from './candidates.js'

export type MatchSecrets = (candidates: string[]) => Promise<string[]>

export function createSecretsMatcher (opts: { secretsUrl: string, serviceKeyFile: string, timeoutMs?: number }): MatchSecrets {
  let client: ServiceClient | undefined
  const unavailable = () => genericError('chat', 'UNAVAILABLE', 'Secret-like values cannot be checked right now', { headers: { 'retry-after': '5' } })
  return async (all) => {
    client ??= createServiceClient({ caller: 'chat', baseUrl: opts.secretsUrl, serviceKey: readFileSync(opts.serviceKeyFile, 'utf8').trim(), timeoutMs: opts.timeoutMs ?? 3000 })
    const matched: string[] = []
    for (let i = 0; i < all.length; i += MAX_CANDIDATES_PER_CALL) {
      const batch = all.slice(i, i + MAX_CANDIDATES_PER_CALL)
      const res = await client.request<{ matches: number[] }>('POST', '/internal/secrets/match', { body: { candidates: batch } })
      if (res.status !== 200 || !Array.isArray(res.body?.matches)) throw unavailable()
      for (const n of res.body.matches) if (typeof batch[n] === 'string') matched.push(batch[n])
    }
    return matched
  }
}
