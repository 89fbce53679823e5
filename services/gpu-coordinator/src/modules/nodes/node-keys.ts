// A node agent's key (SPEC §2.3): minted by auth when a node is registered with `agentKey: true`, revoked when the
// node is removed, through auth's internal routes with this service's own key. Auth unreachable → 503
// GPU_COORDINATOR_UNAVAILABLE, and the registration or removal does not happen.
import { readFileSync } from 'node:fs'
import { createServiceClient, genericError, type ServiceClient } from '@robbie/service-kit'

const unavailable = (what: string) => genericError('gpu-coordinator', 'UNAVAILABLE', `The node agent's key could not be ${what}: the auth service did not answer`, { headers: { 'retry-after': '5' } })

export function createNodeKeys (opts: { authUrl: string | undefined, serviceKeyFile: string }) {
  let client: ServiceClient | undefined
  const auth = () => {
    if (!opts.authUrl) throw genericError('gpu-coordinator', 'UNAVAILABLE', 'Node agent keys need the auth service (ROBBIE_AUTH_URL is not set)', { headers: { 'retry-after': '5' } })
    client ??= createServiceClient({ caller: 'gpu-coordinator', baseUrl: opts.authUrl, serviceKey: readFileSync(opts.serviceKeyFile, 'utf8').trim() })
    return client
  }
  return {
    async mint (nodeName: string, requestId?: string): Promise<{ keyId: string, key: string }> {
      const res = await auth().request<{ keyId: string, key: string }>('POST', '/internal/auth/node-keys', { body: { nodeName }, ...(requestId ? { requestId } : {}) })
      if (res.status !== 201 || typeof res.body?.key !== 'string') throw unavailable('minted')
      return { keyId: res.body.keyId, key: res.body.key }
    },
    async revoke (nodeName: string, requestId?: string): Promise<void> {
      const res = await auth().request('DELETE', `/internal/auth/node-keys/${encodeURIComponent(nodeName)}`, requestId ? { requestId } : {})
      if (res.status !== 204 && res.status !== 404) throw unavailable('revoked')
    }
  }
}
export type NodeKeys = ReturnType<typeof createNodeKeys>
