// POST|DELETE /api/auth/sample-data (owner, SPEC §11.6): asks each service that holds sample rows to load or
// remove its share through `POST|DELETE /internal/<service>/sample-data {ownerUserId}`. Each share is idempotent,
// so a retry after a partial failure completes the rest; the reply says how each service fared.
import { readFileSync } from 'node:fs'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import { createServiceClient, genericError, serviceUrlVar, type ServiceClient } from '@robbie/service-kit'

/** The services with sample data in this wave, in load order (chat's welcome conversation mentions the tasks). */
export const SAMPLE_SERVICES = ['priorities', 'secrets', 'chat'] as const

const ServiceResult = Type.Object({
  service: Type.String(),
  ok: Type.Boolean(),
  counts: Type.Optional(Type.Record(Type.String(), Type.Union([Type.Integer(), Type.Boolean()]))),
  error: Type.Optional(Type.String())
})
const Reply = Type.Object({ ok: Type.Boolean(), services: Type.Array(ServiceResult) })

export async function sampleDataRoutes (app: FastifyInstance, opts: { config: Record<string, unknown>, serviceKeyFile: string }): Promise<void> {
  const clients = new Map<string, ServiceClient>()
  const clientFor = (service: string): ServiceClient | null => {
    const baseUrl = opts.config[serviceUrlVar(service)]
    if (typeof baseUrl !== 'string' || baseUrl.length === 0) return null
    let client = clients.get(service)
    if (!client) {
      client = createServiceClient({ caller: 'auth', baseUrl, serviceKey: readFileSync(opts.serviceKeyFile, 'utf8').trim(), timeoutMs: 30_000 })
      clients.set(service, client)
    }
    return client
  }

  const run = async (method: 'POST' | 'DELETE', ownerUserId: string, requestId: string) => {
    const results = []
    for (const service of SAMPLE_SERVICES) {
      const client = clientFor(service)
      if (!client) { results.push({ service, ok: false, error: 'not configured in this fleet' }); continue }
      try {
        const res = await client.request<Record<string, number | boolean> & { error?: { code: string, message: string } }>(method, `/internal/${service}/sample-data`, { body: { ownerUserId }, requestId })
        results.push(res.status === 200
          ? { service, ok: true, counts: res.body }
          : { service, ok: false, error: res.body?.error?.code ?? `HTTP ${res.status}` })
      } catch (err) {
        results.push({ service, ok: false, error: (err as { code?: string }).code ?? 'UNAVAILABLE' })
      }
    }
    return { ok: results.every((r) => r.ok), services: results }
  }

  const config = { scope: 'auth:admin', roles: ['owner' as const] }
  const schema = { tags: ['sample data'], response: { 200: Reply } }
  const record = async (request: FastifyRequest, action: string, result: Awaited<ReturnType<typeof run>>) => {
    await app.audit.record(app.db, { action, outcome: result.ok ? 'success' : 'failed', resourceType: 'sample-data', resourceId: 'company', details: { services: result.services.map((s) => `${s.service}:${s.ok ? 'ok' : s.error ?? 'failed'}`) } }, request)
  }

  app.post('/sample-data', { config, schema: { ...schema, summary: 'Load the sample data (owner; idempotent)' } }, async (request) => {
    if (!request.identity) throw genericError('auth', 'UNAUTHENTICATED', 'Sign in first')
    const result = await run('POST', request.identity.id, request.id)
    await record(request, 'auth.sample-data.load', result)
    return result
  })

  app.delete('/sample-data', { config, schema: { ...schema, summary: 'Remove the sample data (owner; idempotent)' } }, async (request) => {
    if (!request.identity) throw genericError('auth', 'UNAUTHENTICATED', 'Sign in first')
    const result = await run('DELETE', request.identity.id, request.id)
    await record(request, 'auth.sample-data.remove', result)
    return result
  })
}
