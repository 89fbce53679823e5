// Builds the gpu-coordinator app for a test file on top of @robbie/testing: its own database clone and Redis
// prefix, captured logs, loopback nodes allowed (the fake Ollama nodes listen on 127.0.0.1). Polling intervals
// default to an hour so each test drives polls itself (POST /nodes/:id/probe); a test that wants the loop sets
// them short. Node agent keys are checked by a table (`nodeKeys`) instead of auth.
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { generateApiKey, uuidv7, type Identity, type Role } from '@robbie/contracts'
import { loadConfig } from '@robbie/service-kit'
import { buildTestApp, captureLogs, mintAccessToken, testContext, type FakeOllama, type TestAppContext } from '@robbie/testing'
import { createApp, type AppDeps } from '../src/app.js'
import { configSchema } from '../src/config.js'

export const HOUR = '3600000'
export const BASE_ENV = {
  ROBBIE_RATE_LIMIT_MULTIPLIER: '1000',
  ROBBIE_GPU_ALLOW_LOOPBACK: 'true',
  ROBBIE_GPU_PS_INTERVAL_MS: HOUR,
  ROBBIE_GPU_TAGS_INTERVAL_MS: HOUR,
  ROBBIE_GPU_PROBE_INTERVAL_MS: HOUR,
  ROBBIE_GPU_SAMPLE_INTERVAL_MS: HOUR
}

export interface GpuTestApp { app: FastifyInstance, ctx: TestAppContext, logs: ReturnType<typeof captureLogs>, nodeKeys: Map<string, Identity> }

export async function buildGpuApp (opts: { ctx?: TestAppContext, env?: Record<string, string>, deps?: AppDeps } = {}): Promise<GpuTestApp> {
  const ctx = opts.ctx ?? await testContext('gpu-coordinator', BASE_ENV)
  const logs = captureLogs()
  const nodeKeys = new Map<string, Identity>()
  const app = await buildTestApp(async () => await createApp(loadConfig(configSchema, { ...ctx.env, ...opts.env }), {
    logDestination: logs.stream,
    verifyApiKey: async (key) => {
      const identity = nodeKeys.get(key)
      return identity ? { identity, expiresAt: null } : null
    },
    ...opts.deps
  }))
  return { app, ctx, logs, nodeKeys }
}

/** A key that the test app accepts as node `name`'s agent. */
export function nodeAgentKey (t: GpuTestApp, name: string): Record<string, string> {
  const { id, key } = generateApiKey('svc')
  t.nodeKeys.set(key, { kind: 'node', id: `node:${name}`, scopes: ['gpu-coordinator:heartbeat'], keyId: id })
  return { authorization: `Bearer ${key}` }
}

export async function as (role: Role, sub = uuidv7()): Promise<Record<string, string>> {
  return { authorization: `Bearer ${await mintAccessToken({ role, sub })}` }
}

export const codeOf = (res: LightMyRequestResponse): [number, string | undefined] =>
  [res.statusCode, res.statusCode >= 400 ? (res.json() as { error: { code: string } }).error.code : undefined]

export interface NodeJson { id: string, name: string, status: string, breaker: string, inflight: number, draining: boolean, enabled: boolean, models: { name: string, loaded: boolean }[], agent?: { keyId: string, key: string } }

/** Registers a fake node through the API as an admin. */
export async function addNode (app: FastifyInstance, fake: FakeOllama, name: string, extra: Record<string, unknown> = {}): Promise<NodeJson> {
  const res = await app.inject({ method: 'POST', url: '/api/gpu-coordinator/nodes', headers: await as('admin'), payload: { name, baseUrl: fake.url, ...extra } })
  if (res.statusCode !== 201) throw new Error(`adding ${name}: ${res.statusCode} ${res.body}`)
  return res.json<NodeJson>()
}

export async function probe (app: FastifyInstance, id: string): Promise<NodeJson> {
  const res = await app.inject({ method: 'POST', url: `/api/gpu-coordinator/nodes/${id}/probe`, headers: await as('admin') })
  if (res.statusCode !== 200) throw new Error(`probing ${id}: ${res.statusCode} ${res.body}`)
  return res.json<NodeJson>()
}

/** The outbox events of a type about one node, oldest first. */
export async function nodeEvents (app: FastifyInstance, type: string, nodeId: string) {
  const { rows } = await app.db.query("SELECT envelope FROM outbox WHERE type = $1 AND envelope->'subject'->>'id' = $2 ORDER BY id", [type, nodeId])
  return rows.map((r: { envelope: { data: Record<string, unknown>, actor?: unknown } }) => r.envelope)
}

export async function auditRows (app: FastifyInstance, resourceId: string) {
  const { rows } = await app.db.query('SELECT action, actor_type, actor_id, details FROM audit_events WHERE resource_id = $1 ORDER BY seq', [resourceId])
  return rows as Array<{ action: string, actor_type: string, actor_id: string | null, details: Record<string, unknown> }>
}
