// SPEC §11.1: /healthz while the process runs; /readyz when Postgres, Redis and the schema are usable.
import type { FastifyInstance } from 'fastify'
import { Type } from 'typebox'
import { pendingMigrations, type MigrationSource, type Pool } from '@robbie/db'
import type { Redis } from 'ioredis'

export type ReadinessCheck = () => Promise<{ ok: boolean, detail?: string }>

const CheckResult = Type.Object({ ok: Type.Boolean(), detail: Type.Optional(Type.String()) })
const Ready = Type.Object({ status: Type.String(), checks: Type.Record(Type.String(), CheckResult) })

const withTimeout = async <T>(p: Promise<T>, ms: number): Promise<T> => await Promise.race([
  p, new Promise<never>((_resolve, reject) => setTimeout(() => reject(new Error('timed out')), ms).unref())
])

export function healthRoutes (app: FastifyInstance, opts: {
  service: string, version: string, pool: Pool, redis: Redis, sources: MigrationSource[], extra: Record<string, ReadinessCheck>
}): void {
  const started = Date.now()
  const base = `/api/${opts.service}`
  const checks: Record<string, ReadinessCheck> = {
    postgres: async () => { await opts.pool.query('SELECT 1'); return { ok: true } },
    redis: async () => ({ ok: (await opts.redis.ping()) === 'PONG' }),
    migrations: async () => {
      const pending = await pendingMigrations(opts.pool, opts.sources)
      return pending.length === 0 ? { ok: true } : { ok: false, detail: `pending: ${pending.join(', ')}` }
    },
    ...opts.extra
  }

  app.get(`${base}/healthz`, {
    config: { public: true }, // SPEC §0.1 public list: liveness, no data
    schema: {
      tags: ['health'],
      response: { 200: Type.Object({ status: Type.Literal('ok'), service: Type.String(), version: Type.String(), uptimeS: Type.Integer() }) }
    }
  }, async () => ({ status: 'ok' as const, service: opts.service, version: opts.version, uptimeS: Math.floor((Date.now() - started) / 1000) }))

  app.get(`${base}/readyz`, {
    config: { public: true }, // SPEC §0.1 public list: readiness, names of checks only
    schema: { tags: ['health'], response: { 200: Ready, 503: Ready } }
  }, async (_request, reply) => {
    const results = Object.fromEntries(await Promise.all(Object.entries(checks).map(async ([name, check]) => {
      try {
        return [name, await withTimeout(check(), 2000)] as const
      } catch {
        // the reason stays in our logs; the public answer only says which check failed
        return [name, { ok: false, detail: 'unreachable' }] as const
      }
    })))
    const ready = Object.values(results).every((r) => r.ok)
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready', checks: results })
  })
}
