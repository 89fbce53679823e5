// Chat's calls to other services (SPEC §0.1 "Service calls"): priorities' and the coordinator's public routes
// with a delegated token for the user, so the callee applies that user's visibility (SPEC §1.2). Direct to
// ROBBIE_<SERVICE>_URL, never the gateway. Auth (directory, company, delegation, killswitch) is engine/directory.ts.
import { readFileSync } from 'node:fs'
import { createServiceClient, genericError, RobbieError, type ServiceClient } from '@robbie/service-kit'

/** The settings these calls read: chat's config.ts carries them (the URLs come from the fleet list). */
export interface CallConfig {
  ROBBIE_SERVICE_KEY_FILE: string
  ROBBIE_PRIORITIES_URL?: string
  ROBBIE_GPU_COORDINATOR_URL?: string
}

const unavailable = (what: string) => genericError('chat', 'UNAVAILABLE', `${what} is unavailable right now`, { headers: { 'retry-after': '5' } })

function lazyClient (baseUrl: string | undefined, keyFile: string, what: string, timeoutMs: number) {
  let client: ServiceClient | undefined
  return async <T>(method: string, path: string, args: Parameters<ServiceClient['request']>[2] = {}) => {
    if (!baseUrl) throw unavailable(what)
    client ??= createServiceClient({ caller: 'chat', baseUrl, serviceKey: readFileSync(keyFile, 'utf8').trim(), timeoutMs })
    try {
      return await client.request<T>(method, path, args)
    } catch (err) {
      if (err instanceof RobbieError) throw err
      throw unavailable(what) // a reply that is not JSON: not the service we expect
    }
  }
}

/** A callee's coded refusal (4xx), passed on with its own code and message. */
export function refusal (status: number, body: unknown): RobbieError {
  const e = (body as { error?: { code?: unknown, message?: unknown } } | null)?.error
  const code = typeof e?.code === 'string' ? e.code : 'CHAT_CONFLICT'
  return new RobbieError(code, typeof e?.message === 'string' ? e.message : 'The request was refused', status)
}

export function createPrioritiesClient (cfg: CallConfig) {
  const call = lazyClient(cfg.ROBBIE_PRIORITIES_URL, cfg.ROBBIE_SERVICE_KEY_FILE, 'priorities', 10_000)
  return {
    /** `/api/priorities<path>` as the token's user; 4xx → their coded error, 5xx → CHAT_UNAVAILABLE. */
    async call<T> (token: string, method: string, path: string, opts: { body?: unknown, idempotencyKey?: string } = {}): Promise<T> {
      const res = await call<T>(method, `/api/priorities${path}`, {
        token,
        ...(opts.body !== undefined ? { body: opts.body } : {}),
        ...(opts.idempotencyKey ? { headers: { 'idempotency-key': opts.idempotencyKey } } : {})
      })
      if (res.status >= 500) throw unavailable('priorities')
      if (res.status >= 400) throw refusal(res.status, res.body)
      return res.body
    }
  }
}
export type PrioritiesClient = ReturnType<typeof createPrioritiesClient>

/** SPEC §7.4's mesh view; members get totals and model availability only, so everything else is optional. */
export interface MeshView {
  nodes?: { id: string, name: string, status: string, loaded?: { model: string }[], inflight?: number }[]
  queue?: { depth: number, byClass?: Record<string, number> }
  models?: { name: string, nodes?: number | string[], loadedOn?: string[] }[]
  totals?: { nodes: number, healthy: number, gpus?: number, memoryMb?: number }
}

export function createMeshClient (cfg: CallConfig) {
  const call = lazyClient(cfg.ROBBIE_GPU_COORDINATOR_URL, cfg.ROBBIE_SERVICE_KEY_FILE, 'the GPU coordinator', 3000)
  return {
    /** The mesh as the user may see it, or null when the coordinator does not answer (no model connected). */
    async mesh (token: string): Promise<MeshView | null> {
      try {
        const res = await call<MeshView>('GET', '/api/gpu-coordinator/mesh', { token })
        return res.status === 200 && res.body && typeof res.body === 'object' ? res.body : null
      } catch {
        return null
      }
    }
  }
}
export type MeshClient = ReturnType<typeof createMeshClient>
