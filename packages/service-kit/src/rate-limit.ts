// Rate limits (SPEC §0.5) on @fastify/rate-limit, with a store of our own: fixed windows in Redis, and when
// Redis fails, a fail-open class switches this process to an in-memory store until Redis answers again while
// a fail-closed class answers 503 <S>_UNAVAILABLE. Never a 500.
import type { FastifyInstance, FastifyRequest, onRequestHookHandler } from 'fastify'
import rateLimit from '@fastify/rate-limit'
import type { BusRedis } from '@robbie/bus'
import { genericError } from './errors.js'
import type { Metrics } from './metrics.js'

export type LimitClass = 'general' | 'login' | 'sensitive' | 'failedKey' | 'chat' | 'modelSample'

interface ClassRule { max: number, windowMs: number, failClosed: boolean, by: 'identity' | 'address' }
export const LIMIT_CLASSES: Record<LimitClass, ClassRule> = {
  general: { max: 40, windowMs: 2000, failClosed: false, by: 'identity' },
  login: { max: 10, windowMs: 60_000, failClosed: true, by: 'address' },
  sensitive: { max: 30, windowMs: 60_000, failClosed: true, by: 'identity' },
  failedKey: { max: 30, windowMs: 60_000, failClosed: true, by: 'address' },
  chat: { max: 30, windowMs: 60_000, failClosed: false, by: 'identity' },
  // model calls on request that are not chat messages (the personality preview's sample, SPEC §3.3): a model
  // generation class, so fail closed
  modelSample: { max: 6, windowMs: 60_000, failClosed: true, by: 'identity' }
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** the rate-limit class of a route (default `general`); `false` only for /metrics */
    limit?: LimitClass | false
  }
}

const WINDOW_SCRIPT = `local c = redis.call('INCR', KEYS[1])
if c == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return {c, redis.call('PTTL', KEYS[1])}`

/** A fixed-window counter: Redis first; an in-memory map while Redis is away (fail-open classes only). */
export function createLimiter (opts: { service: string, redis: BusRedis, multiplier: number, onDegraded?: (err: unknown) => void }) {
  const memory = new Map<string, { count: number, resetAt: number }>()
  let redisBackAt = 0
  const sweep = setInterval(() => {
    const now = Date.now()
    for (const [k, v] of memory) if (v.resetAt <= now) memory.delete(k)
  }, 10_000)
  sweep.unref()

  function inMemory (key: string, windowMs: number): { current: number, ttl: number } {
    const now = Date.now()
    let entry = memory.get(key)
    if (!entry || entry.resetAt <= now) { entry = { count: 0, resetAt: now + windowMs }; memory.set(key, entry) }
    entry.count++
    return { current: entry.count, ttl: entry.resetAt - now }
  }

  return {
    rule: (cls: LimitClass) => ({ ...LIMIT_CLASSES[cls], max: LIMIT_CLASSES[cls].max * opts.multiplier }),
    async hit (cls: LimitClass, key: string): Promise<{ current: number, ttl: number, max: number }> {
      const rule = this.rule(cls)
      const full = `${opts.redis.prefix}rl:${opts.service}:${cls}:${key}`
      if (Date.now() >= redisBackAt) {
        try {
          const [current, ttl] = await opts.redis.client.eval(WINDOW_SCRIPT, 1, full, String(rule.windowMs)) as [number, number]
          return { current, ttl: ttl < 0 ? rule.windowMs : ttl, max: rule.max }
        } catch (err) {
          if (rule.failClosed) throw genericError(opts.service, 'UNAVAILABLE', 'Rate limiting is unavailable; try again shortly', { headers: { 'retry-after': '5' } })
          opts.onDegraded?.(err)
          redisBackAt = Date.now() + 5000 // try Redis again in 5 s
        }
      } else if (rule.failClosed) {
        throw genericError(opts.service, 'UNAVAILABLE', 'Rate limiting is unavailable; try again shortly', { headers: { 'retry-after': '5' } })
      }
      return { ...inMemory(full, rule.windowMs), max: rule.max }
    },
    close: () => { clearInterval(sweep) }
  }
}
export type Limiter = ReturnType<typeof createLimiter>

export const limitKey = (request: FastifyRequest, by: ClassRule['by']): string =>
  by === 'identity' && request.identity ? `id:${request.identity.id}` : `ip:${request.ip}`

/**
 * Registers @fastify/rate-limit with the limiter as its store; every route gets its class's hook (the
 * general class unless it says otherwise). Returns the hook for the not-found handler, which is limited too.
 */
export async function installRateLimits (app: FastifyInstance, service: string, limiter: Limiter, metrics: Metrics): Promise<(cls: LimitClass) => onRequestHookHandler> {
  class Store {
    constructor (private readonly cls: LimitClass = 'general') {}
    incr (key: string, cb: (err: Error | null, res?: { current: number, ttl: number }) => void): void {
      limiter.hit(this.cls, key).then((r) => { cb(null, { current: r.current, ttl: r.ttl }) }, (err: Error) => { cb(err) })
    }

    child (params: { limitClass?: LimitClass }): Store { return new Store(params.limitClass ?? this.cls) }
  }
  await app.register(rateLimit, {
    global: false,
    store: Store as never,
    skipOnError: false,
    hook: 'onRequest',
    errorResponseBuilder: (_req, ctx) => genericError(service, 'RATE_LIMITED', 'Too many requests; slow down', { headers: { 'retry-after': String(Math.max(1, Math.ceil(ctx.ttl / 1000))) } }),
    onExceeded: () => { metrics.rateLimitRejections.inc() }
  })
  const hooks = new Map<LimitClass, onRequestHookHandler>()
  const hookFor = (cls: LimitClass): onRequestHookHandler => {
    let hook = hooks.get(cls)
    if (!hook) {
      const rule = limiter.rule(cls)
      // the plugin's handler is async; Fastify awaits a returned promise from an onRequest hook
      const created = app.rateLimit({ max: rule.max, timeWindow: rule.windowMs, keyGenerator: (req: FastifyRequest) => limitKey(req, rule.by), limitClass: cls } as never) as unknown as onRequestHookHandler
      hook = created
      hooks.set(cls, created)
    }
    return hook
  }
  app.addHook('onRoute', (route) => {
    const cls = route.config?.limit
    if (cls === false) return
    const hook = hookFor(cls ?? 'general')
    // route-level onRequest hooks run after the global ones, so the identity is known by then
    route.onRequest = route.onRequest ? [...[route.onRequest].flat(), hook] : [hook]
  })
  return hookFor
}
