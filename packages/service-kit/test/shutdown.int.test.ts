// Graceful shutdown: a request in flight when the service is told to close still gets its answer, and the
// service's loops and pools close (no hanging handles: close() resolves).
import { describe, expect, it } from 'vitest'
import { createService, createServiceClient, defineConfig, loadConfig } from '../src/index.js'
import { mintAccessToken, testContext } from '@robbie/testing'
import { serviceDir } from './helper.js'

const ctx = await testContext('priorities')

describe('graceful shutdown', () => {
  it('finishes in-flight requests, then refuses new ones', async () => {
    const app = await createService({ name: 'priorities', config: loadConfig(defineConfig({}), ctx.env), serviceDir })
    app.get('/api/priorities/slow', { config: { scope: 'priorities:read' } }, async () => {
      await new Promise((resolve) => setTimeout(resolve, 500))
      return { done: true }
    })
    await app.listen({ host: '127.0.0.1', port: 0 })
    const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`
    const token = await mintAccessToken()
    // the kit's own client: direct to the service, with the request id forwarded
    const client = createServiceClient({ caller: 'chat', baseUrl: base, serviceKey: token })
    const inFlight = client.request<{ done: boolean }>('GET', '/api/priorities/slow', { requestId: 'shutdown-test-1' })
    await new Promise((resolve) => setTimeout(resolve, 100))
    const closing = app.close()
    expect(await inFlight).toEqual({ status: 200, body: { done: true } })
    await closing
    await expect(fetch(`${base}/api/priorities/healthz`)).rejects.toThrow()
  })
})
