// OpenAPI (SPEC §0.1): one @fastify/swagger document built from the route schemas, served in two halves:
// the public routes at /api/<service>/openapi.json (+ a docs page), the internal ones at
// /internal/<service>/openapi.json for service identities.
import type { FastifyInstance } from 'fastify'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import { SERVICES } from '@robbie/contracts'

interface OpenApiDoc { paths?: Record<string, unknown>, [k: string]: unknown }

export async function registerOpenApi (app: FastifyInstance, service: string, version: string): Promise<void> {
  const docsPrefix = `/api/${service}/docs`
  // The docs page is on the public list (documentation, no data); its routes come from the plugin.
  app.addHook('onRoute', (route) => {
    if (route.url.startsWith(docsPrefix)) route.config = { ...route.config, public: true }
  })
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: `Robbie ${service}`, version },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }]
    }
  })
  await app.register(swaggerUi, { routePrefix: docsPrefix, staticCSP: false, uiConfig: { url: `/api/${service}/openapi.json` } })

  const half = (prefix: string) => {
    const doc = app.swagger() as OpenApiDoc
    const paths = Object.fromEntries(Object.entries(doc.paths ?? {}).filter(([p]) => p.startsWith(prefix) && !p.startsWith(docsPrefix)))
    return { ...doc, paths }
  }
  app.get(`/api/${service}/openapi.json`, {
    config: { public: true }, // SPEC §0.1 public list: documentation, no data
    schema: { hide: true }
  }, async () => half(`/api/${service}/`))
  app.get(`/internal/${service}/openapi.json`, {
    config: { allowedCallers: [...SERVICES] }, // any service identity (SPEC §0.1)
    schema: { hide: true }
  }, async () => half(`/internal/${service}/`))
}
