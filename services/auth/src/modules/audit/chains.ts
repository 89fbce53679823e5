// Where each service's audit chain is read: auth's own from its database, every other one through its
// GET /internal/<service>/audit with auth's service key (SPEC §2.4). Rows come back in the kit's API form.
import { readFileSync } from 'node:fs'
import { SERVICES } from '@robbie/contracts'
import type { Queryable } from '@robbie/db'
import { createServiceClient, genericError, readAuditPage, serviceUrlVar, type AuditEvent } from '@robbie/service-kit'

export interface AuditFilters {
  from?: string, to?: string, actorId?: string, action?: string, resourceType?: string, resourceId?: string, outcome?: string, traceId?: string
}
/** newest first below `cursor` (a seq), or ascending from `fromSeq` */
export interface ChainQuery extends AuditFilters { limit: number, cursor?: string, fromSeq?: number }
export interface ChainPage { items: AuditEvent[], nextCursor: string | null }
export type ChainReader = (query: ChainQuery) => Promise<ChainPage>

/** auth's own chain: the kit's internal route's query, without a call to itself. */
export function localChain (pool: Queryable): ChainReader {
  return async (q) => await readAuditPage(pool, q)
}

export function remoteChain (service: string, baseUrl: string, serviceKeyFile: string): ChainReader {
  let client: ReturnType<typeof createServiceClient> | undefined
  return async (q) => {
    client ??= createServiceClient({ caller: 'auth', baseUrl, serviceKey: readFileSync(serviceKeyFile, 'utf8').trim(), timeoutMs: 10_000 })
    const qs = new URLSearchParams()
    for (const [k, v] of Object.entries(q)) if (v !== undefined) qs.set(k, String(v))
    const res = await client.request<ChainPage>('GET', `/internal/${service}/audit?${qs.toString()}`)
    if (res.status !== 200 || !res.body || !Array.isArray(res.body.items)) {
      throw genericError('auth', 'UNAVAILABLE', `The audit log of ${service} could not be read`, { headers: { 'retry-after': '5' } })
    }
    return res.body
  }
}

/** Every chain of this fleet: auth's own, and each service whose ROBBIE_<SERVICE>_URL is set. */
export function fleetChains (opts: { pool: Queryable, config: Record<string, unknown>, serviceKeyFile: string }): Map<string, ChainReader> {
  const chains = new Map<string, ChainReader>([['auth', localChain(opts.pool)]])
  for (const service of SERVICES) {
    const url = opts.config[serviceUrlVar(service)]
    if (service !== 'auth' && typeof url === 'string' && url.length > 0) chains.set(service, remoteChain(service, url, opts.serviceKeyFile))
  }
  return chains
}
