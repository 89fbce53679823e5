// Identity on every route (SPEC §0.1, §2.3). Each route declares what it needs in its `config`:
//   { public: true }            only for SPEC §0.1's public list (PUBLIC_ROUTES below)
//   { scope: 'secrets:reveal' }  a user (or a delegated service) holding that scope
//   { roles: ['owner','admin'] } a user with one of these roles
//   { allowedCallers: ['chat'] } an internal route, for these services only
// A route that declares none of them is refused at registration, so nothing is public by accident.
import { readFileSync } from 'node:fs'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose'
import type { Identity, Role } from '@robbie/contracts'
import { genericError } from './errors.js'

declare module 'fastify' {
  interface FastifyContextConfig {
    public?: boolean
    scope?: string
    roles?: Role[]
    allowedCallers?: string[]
    /** a creating POST that honours Idempotency-Key (SPEC §0.3) */
    idempotent?: boolean
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

/**
 * Access tokens are EdDSA JWTs signed by auth with the keys of ROBBIE_JWT_KEYS_FILE; every service
 * verifies them locally with the public halves. The algorithm is pinned, so `alg: none` or an HS256
 * token signed with the public key is refused. API keys (`robbie_…`) are verified by the auth service.
 */
export function jwtAuthenticator (keysFile: string): Authenticator {
  const file = JSON.parse(readFileSync(keysFile, 'utf8')) as { keys: Array<{ kid: string, publicJwk: Record<string, unknown> }> }
  const jwks = createLocalJWKSet({ keys: file.keys.map((k) => ({ ...k.publicJwk, kid: k.kid, alg: 'EdDSA', use: 'sig' })) } as JSONWebKeySet)
  return async (credential) => {
    if (credential.startsWith('robbie_')) return null // API keys: verified through auth (its own issue)
    try {
      const { payload } = await jwtVerify(credential, jwks, { algorithms: ['EdDSA'], issuer: 'robbie', audience: 'robbie', typ: 'at+jwt' })
      if (typeof payload.sub !== 'string' || !Array.isArray(payload.scopes)) return null
      const role = payload.role as Role | undefined
      const act = payload.act as { sub?: string } | undefined
      return {
        kind: 'user',
        id: payload.sub,
        ...(role ? { role } : {}),
        scopes: payload.scopes.filter((s): s is string => typeof s === 'string'),
        ...(typeof payload.sid === 'string' ? { sessionId: payload.sid } : {}),
        ...(act?.sub ? { actor: { id: act.sub } } : {})
      }
    } catch {
      return null
    }
  }
}

export function installAuth (app: FastifyInstance, service: string, authenticate: Authenticator): void {
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
    const identity = credential.length > 0 && credential.length <= 8192 ? await authenticate(credential, request) : null
    if (!identity) throw genericError(service, 'UNAUTHENTICATED', 'A valid credential is required')
    request.identity = identity
    if (c.allowedCallers) {
      if (identity.kind !== 'service' || !c.allowedCallers.includes(identity.id.replace(/^svc:/, ''))) {
        throw genericError(service, 'FORBIDDEN', 'This service may not call this route')
      }
      return
    }
    if (c.scope && !identity.scopes.includes(c.scope)) throw genericError(service, 'FORBIDDEN', `This needs the ${c.scope} scope`)
    if (c.roles && (identity.kind !== 'user' || !identity.role || !c.roles.includes(identity.role))) {
      throw genericError(service, 'FORBIDDEN', 'Your role may not do this')
    }
  })
}
