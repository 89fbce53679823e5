// Calls between services go direct to ROBBIE_<SERVICE>_URL on the internal network, never through the
// gateway (ARCHITECTURE §2), with this service's key, the caller's request id and a timeout on every call.
import { codePrefix } from '@robbie/contracts'
import { RobbieError } from './errors.js'

export const serviceUrlVar = (service: string) => `ROBBIE_${codePrefix(service)}_URL`

export interface ServiceClientOptions { caller: string, baseUrl: string, serviceKey: string, timeoutMs?: number }

export function createServiceClient (opts: ServiceClientOptions) {
  return {
    async request<T> (method: string, path: string, args: { body?: unknown, requestId?: string, token?: string, headers?: Record<string, string> } = {}): Promise<{ status: number, body: T }> {
      const res = await fetch(new URL(path, opts.baseUrl), {
        method,
        redirect: 'error',
        signal: AbortSignal.timeout(opts.timeoutMs ?? 5000),
        headers: {
          ...args.headers,
          authorization: `Bearer ${args.token ?? opts.serviceKey}`,
          ...(args.requestId ? { 'x-request-id': args.requestId } : {}),
          ...(args.body !== undefined ? { 'content-type': 'application/json' } : {})
        },
        ...(args.body !== undefined ? { body: JSON.stringify(args.body) } : {})
      }).catch(() => {
        throw new RobbieError(`${codePrefix(opts.caller)}_UNAVAILABLE`, 'A service this depends on is unavailable', 503, undefined, { 'retry-after': '5' })
      })
      const text = await res.text()
      return { status: res.status, body: (text ? JSON.parse(text) : null) as T }
    }
  }
}
export type ServiceClient = ReturnType<typeof createServiceClient>
