// Prometheus metrics (SPEC §11.1) at GET /metrics on the service's own port: never proxied by the gateway,
// outside authentication and OpenAPI. Labels come from small bounded sets: the route template, never a URL.
import type { FastifyInstance } from 'fastify'
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'

// a service's own metrics use the same prom-client as the kit's registry (services do not depend on it themselves)
export { Counter, Gauge, Histogram } from 'prom-client'

export function createMetrics (service: string) {
  const registry = new Registry()
  registry.setDefaultLabels({ service })
  collectDefaultMetrics({ register: registry })
  return {
    registry,
    httpRequests: new Counter({ name: 'robbie_http_requests_total', help: 'HTTP requests', labelNames: ['route', 'method', 'status'], registers: [registry] }),
    httpDuration: new Histogram({
      name: 'robbie_http_request_duration_seconds',
      help: 'HTTP request duration',
      labelNames: ['route', 'method'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry]
    }),
    eventsPublished: new Counter({ name: 'robbie_events_published_total', help: 'Events moved from the outbox to Redis', labelNames: ['type'], registers: [registry] }),
    eventsConsumed: new Counter({ name: 'robbie_events_consumed_total', help: 'Events handled', labelNames: ['type', 'outcome'], registers: [registry] }),
    outboxPending: new Gauge({ name: 'robbie_outbox_pending', help: 'Outbox rows not yet published', registers: [registry] }),
    rateLimitRejections: new Counter({ name: 'robbie_ratelimit_rejections_total', help: 'Requests refused by a rate limit', registers: [registry] }),
    deadLetters: new Gauge({ name: 'robbie_dead_letters', help: 'Entries in this service\'s dead-letter stream', registers: [registry] })
  }
}
export type Metrics = ReturnType<typeof createMetrics>

export function metricsRoutes (app: FastifyInstance, metrics: Metrics): void {
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched'
    if (route === '/metrics') return
    const statusClass = `${Math.floor(reply.statusCode / 100)}xx`
    metrics.httpRequests.inc({ route, method: request.method, status: statusClass })
    metrics.httpDuration.observe({ route, method: request.method }, reply.elapsedTime / 1000)
  })
  app.get('/metrics', {
    // outside authentication by SPEC §11.1: reachable only on the internal network (the gateway never proxies it)
    config: { public: true, limit: false },
    schema: { hide: true }
  }, async (_request, reply) => {
    return await reply.header('content-type', metrics.registry.contentType).send(await metrics.registry.metrics())
  })
}
