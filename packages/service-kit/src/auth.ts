// Identity on every route (SPEC §0.1, §2.3). Each route declares what it needs in its `config`:
//   { public: true }            only for SPEC §0.1's public list (PUBLIC_ROUTES below)
//   { scope: 'secrets:reveal' }  a user (or a delegated service) holding that scope
//   { roles: ['owner','admin'] } a user with one of these roles
//   { allowedCallers: ['chat'] } an internal route, for these services only
// A route that declares none of them is refused at registration, so nothing is public by accident.
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Identity, Role } from '@robbie/contracts'
import { genericError } from './errors.js'
import type { Limiter } from './rate-limit.js'

declare module 'fastify' {
  interface FastifyContextConfig {
    public?: boolean
    scope?: string
    roles?: Role[]
    allowedCallers?: string[]
    /** a creating POST that honours Idempotency-Key (SPEC §0.3); 'sealed' when the reply holds a secret shown once */
    idempotent?: boolean | 'sealed'
  }
  interface FastifyRequest { identity: Identity | null }
}

/** SPEC §0.1's public list, the only one. `<service>` stands for any service name. */
export const PUBLIC_ROUTES = [
  'GET /api/<service>/healthz', 'GET /api/<service>/readyz',
  'GET /api/<service>/openapi.json', 'GET /api/<service>/docs',
  'GET /api/auth/.well-known/jwks.json', 'GET /api/auth/setup', 'POST /api/auth/setup',
  'POST /api/auth/login', 'POST /api/auth/refresh', 'POST /api/auth/logout', 'POST /api/auth/invites/accept',
  'GET /ws'
] as const

/** Resolves the bearer credential of a request to an identity, or null when it proves nothing. */
export type Authenticator = (credential: string, request: FastifyRequest) => Promise<Identity | null>

export function installAuth (app: FastifyInstance, service: string, opts: {
  authenticate: Authenticator
  limiter: Limiter
}): void {
  app.decorateRequest('identity', null)
  app.addHook('onRoute', (route) => {
    const c = route.config ?? {}
    if (route.method === 'HEAD' || (Array.isArray(route.method) && route.method.every((m) => m === 'HEAD'))) return
    if (!c.public && !c.scope && !c.roles && !c.allowedCallers) {
      throw new Error(`route ${String(route.method)} ${route.url} declares no identity requirement (public, scope, roles or allowedCallers)`)
    }
  })
  app.addHook('onRequest', async (request) => {
    const c = request.routeOptions.config
    if (c.public || !request.routeOptions.url) return // public, or the 404 handler (nothing to protect)
    const header = request.headers.authorization
    const credential = typeof header === 'string' && header.startsWith('Bearer ') ? header.slice(7).trim() : ''
    const identity = credential.length > 0 && credential.length <= 8192 ? await opts.authenticate(credential, request) : null
    if (!identity) {
      // failed credential checks are limited per address (SPEC §0.5); successful ones are not counted
      if (credential.length > 0) {
        const hit = await opts.limiter.hit('failedKey', `ip:${request.ip}`)
        if (hit.current > hit.max) throw genericError(service, 'RATE_LIMITED', 'Too many failed credential checks', { headers: { 'retry-after': String(Math.ceil(hit.ttl / 1000)) } })
      }
      throw genericError(service, 'UNAUTHENTICATED', 'A valid credential is required')
    }
    request.identity = identity
    const refusal = forbidden(identity, c)
    if (refusal) throw genericError(service, 'FORBIDDEN', refusal)
  })

  function forbidden (identity: Identity, c: FastifyRequest['routeOptions']['config']): string | null {
    if (c.allowedCallers) {
      return identity.kind === 'service' && c.allowedCallers.includes(identity.id.replace(/^svc:/, '')) ? null : 'This service may not call this route'
    }
    // a service key holds no <service>:<verb> scope: on public routes services act for a user (SPEC §2.3)
    if (c.scope && !identity.scopes.includes(c.scope)) return `This needs the ${c.scope} scope`
    if (c.roles && (identity.kind !== 'user' || !identity.role || !c.roles.includes(identity.role))) return 'Your role may not do this'
    return null
  }
}
