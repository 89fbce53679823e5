// The security suite's harness: every service of the fleet list built from its own src/app.ts and
// src/config.ts (as test/int/services.int.test.ts does), its routes ENUMERATED at run time from its two
// OpenAPI documents (never a hand-written list), and credentials made here: test service keys, access
// tokens signed with the test fleet's real key, and forged ones.
//
// Rate limits are raised with ROBBIE_RATE_LIMIT_MULTIPLIER=1000 (SPEC §0.5: test fleets raise them by config
// and say so): this suite sends thousands of requests, mostly failed credential checks, from one address.
import { createHmac, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll } from 'vitest'
import { SERVICES, codePrefix, generateApiKey, uuidv7, type Identity, type Role } from '@robbie/contracts'
import { loadConfig, PUBLIC_ROUTES } from '@robbie/service-kit'
import { buildTestApp, startFakeOllama, testContext, testEnv, type TestAppContext } from '@robbie/testing'
import { bootstrapKeys } from '../../scripts/bootstrap.js'
import type * as AuthApp from '../../services/auth/src/app.js'
import type * as AuthConfig from '../../services/auth/src/config.js'

const root = join(import.meta.dirname, '..', '..')
// every service has the template's shape; auth (whose createApp takes the most deps) stands for all in the types
type AppModule = typeof AuthApp
type ConfigModule = typeof AuthConfig
export type App = Awaited<ReturnType<typeof buildTestApp>>

export const RATE_LIMIT_MULTIPLIER = '1000'
export const HTTP_METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const
export const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

// ---------------------------------------------------------------------------------------------------------
// Requests

export interface Res { statusCode: number, headers: Record<string, string | string[] | number | undefined>, body: string, json: () => unknown }
export interface Req {
  method: string
  url: string
  headers?: Record<string, string>
  payload?: string | Buffer | object
  query?: Record<string, string>
}
export async function send (app: App, req: Req): Promise<Res> {
  return await (app.inject as unknown as (o: Req) => Promise<Res>)(req)
}

/** SPEC §0.2's error body; returns a problem description or null when the body has the shape. */
/**
 * The error's code in any form this fleet answers: SPEC §0.2's `{error: {code, message, requestId}}`, and its
 * written exceptions on the gpu-coordinator's model endpoints (§7.3): Ollama's `{"error": "<CODE>: <message>"}`
 * and OpenAI's `{error: {message, type, code}}`.
 */
function errorOf (body: unknown, service: string): { code: unknown, message: unknown, requestId?: unknown, details?: unknown, form: 'spec' | 'ollama' | 'openai' } | null {
  const e = (body as { error?: unknown } | null)?.error
  if (service === 'gpu-coordinator' && typeof e === 'string') {
    const m = /^([A-Z][A-Z0-9_]+): (.+)$/s.exec(e)
    return m ? { code: m[1], message: m[2], form: 'ollama' } : null
  }
  if (!e || typeof e !== 'object') return null
  const o = e as Record<string, unknown>
  if (service === 'gpu-coordinator' && typeof o.type === 'string' && o.requestId === undefined) return { code: o.code, message: o.message, form: 'openai' }
  return { code: o.code, message: o.message, requestId: o.requestId, details: o.details, form: 'spec' }
}

export function errorShapeProblem (res: Res, service: string): string | null {
  let body: unknown
  try { body = JSON.parse(res.body) } catch { return `non-JSON body ${JSON.stringify(res.body.slice(0, 120))}` }
  const e = errorOf(body, service)
  if (!e) return `no error object: ${res.body.slice(0, 200)}`
  if (typeof e.code !== 'string' || typeof e.message !== 'string' || (e.form === 'spec' && typeof e.requestId !== 'string')) return `bad error fields: ${res.body.slice(0, 200)}`
  if (!e.code.startsWith(`${codePrefix(service)}_`)) return `code ${e.code} lacks the ${codePrefix(service)}_ prefix`
  if (e.details !== undefined && !Array.isArray(e.details)) return 'details is not an array'
  if (/\bat [^ ]+ \(|node_modules|\.ts:\d+/.test(res.body)) return `stack trace or source path in body: ${res.body.slice(0, 200)}`
  return null
}
export const codeOf = (res: Res): string | undefined => {
  try {
    const body = JSON.parse(res.body) as { error?: unknown }
    const code = errorOf(body, 'gpu-coordinator')?.code
    return typeof code === 'string' ? code : undefined
  } catch { return undefined }
}

// ---------------------------------------------------------------------------------------------------------
// Operations, from the OpenAPI documents

export interface JsonSchema { [k: string]: unknown, type?: string | string[], properties?: Record<string, JsonSchema>, required?: string[], items?: JsonSchema }
export interface Param { name: string, in: 'path' | 'query' | 'header', required?: boolean, schema?: JsonSchema }
export interface Operation {
  service: string
  internal: boolean
  method: string // upper case
  /** the OpenAPI path, `/api/auth/sessions/{id}` */
  path: string
  /** SPEC-style, `/api/auth/sessions/:id` */
  route: string
  /** a concrete URL, path params filled with plausible values */
  url: string
  pathParams: Param[]
  query: Param[]
  body: JsonSchema | undefined
  public: boolean
  label: string
}

interface OpenApiDoc {
  paths?: Record<string, Record<string, { parameters?: Param[], requestBody?: { content?: Record<string, { schema?: JsonSchema }> } }>>
  components?: { schemas?: Record<string, JsonSchema> }
}

/** PUBLIC_ROUTES with `<service>` expanded for this service. */
export const publicRoutesOf = (service: string): Set<string> =>
  new Set(PUBLIC_ROUTES.map((r) => r.replace('<service>', service)))

/** A plausible value for a path parameter, chosen from its name, route and schema. */
export function fillParam (p: Param, path: string): string {
  const s = p.schema ?? {}
  if (Array.isArray(s.enum) && s.enum.length > 0) return String(s.enum[0])
  if (s.const !== undefined) return String(s.const)
  if (/dead-letters/.test(path) && p.name === 'id') return '1-1' // Redis stream entry id
  if (s.format === 'uuid' || /^(id|.*Id)$/.test(p.name)) {
    if (typeof s.pattern === 'string' && !new RegExp(s.pattern).test(uuidv7())) return patternish(s)
    return uuidv7()
  }
  if (s.type === 'integer' || s.type === 'number') return String(typeof s.minimum === 'number' ? s.minimum : 1)
  if (typeof s.pattern === 'string') return patternish(s)
  if (/name$/i.test(p.name)) return 'node-1'
  return 'x1'
}
function patternish (s: JsonSchema): string {
  for (const candidate of ['1-1', uuidv7(), 'node-1', 'abc', 'a1', '1', 'x'.repeat(Number(s.minLength ?? 1))]) {
    if (new RegExp(s.pattern as string).test(candidate)) return candidate
  }
  return 'x1'
}

export function operationsOf (service: string, doc: OpenApiDoc, internal: boolean): Operation[] {
  const publics = publicRoutesOf(service)
  const ops: Operation[] = []
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const method of HTTP_METHODS) {
      const op = item[method]
      if (!op) continue
      const params = op.parameters ?? []
      const pathParams = params.filter((p) => p.in === 'path')
      const route = path.replace(/\{([^}]+)\}/g, ':$1')
      let url = path
      for (const p of pathParams) url = url.replace(`{${p.name}}`, encodeURIComponent(fillParam(p, path)))
      url = url.replace(/\{\*\}/g, 'x')
      const content = op.requestBody?.content ?? {}
      const body = resolveRefs(content['application/json']?.schema ?? Object.values(content)[0]?.schema, doc)
      const M = method.toUpperCase()
      ops.push({
        service,
        internal,
        method: M,
        path,
        route,
        url,
        pathParams,
        query: params.filter((p) => p.in === 'query').map((p) => ({ ...p, schema: resolveRefs(p.schema, doc) })),
        body,
        public: publics.has(`${M} ${route}`),
        label: `${M} ${route}`
      })
    }
  }
  return ops
}

function resolveRefs (schema: JsonSchema | undefined, doc: OpenApiDoc, depth = 0): JsonSchema | undefined {
  if (!schema || depth > 20) return schema
  if (typeof schema.$ref === 'string') {
    const name = schema.$ref.replace(/^#\/components\/schemas\//, '')
    return resolveRefs(doc.components?.schemas?.[name], doc, depth + 1)
  }
  const out: JsonSchema = { ...schema }
  if (schema.properties) out.properties = Object.fromEntries(Object.entries(schema.properties).map(([k, v]) => [k, resolveRefs(v, doc, depth + 1)!]))
  if (schema.items) out.items = resolveRefs(schema.items, doc, depth + 1)
  for (const k of ['anyOf', 'oneOf', 'allOf'] as const) {
    if (Array.isArray(schema[k])) out[k] = (schema[k] as JsonSchema[]).map((s) => resolveRefs(s, doc, depth + 1))
  }
  return out
}

// ---------------------------------------------------------------------------------------------------------
// A valid example of a JSON schema (for bodies "derived from the route's schema")

export function exampleOf (schema: JsonSchema | undefined, depth = 0, name = ''): unknown {
  if (!schema || depth > 8) return {}
  if (schema.const !== undefined) return schema.const
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0]
  if (schema.default !== undefined) return schema.default
  for (const k of ['anyOf', 'oneOf'] as const) {
    const alts = schema[k] as JsonSchema[] | undefined
    if (Array.isArray(alts) && alts.length > 0) return exampleOf(alts.find((a) => a.type !== 'null') ?? alts[0], depth + 1, name)
  }
  if (Array.isArray(schema.allOf)) return Object.assign({}, ...(schema.allOf as JsonSchema[]).map((s) => exampleOf(s, depth + 1)))
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type
  switch (type) {
    case 'object': case undefined: {
      if (!schema.properties && type === undefined) return {}
      const out: Record<string, unknown> = {}
      for (const [k, v] of Object.entries(schema.properties ?? {})) out[k] = exampleOf(v, depth + 1, k)
      return out
    }
    case 'array': {
      const n = Number(schema.minItems ?? 0)
      return Array.from({ length: Math.max(n, name === 'scopes' ? 1 : 0) }, () => exampleOf(schema.items, depth + 1, name))
    }
    case 'integer': case 'number': {
      const min = typeof schema.minimum === 'number' ? schema.minimum : (typeof schema.exclusiveMinimum === 'number' ? schema.exclusiveMinimum + 1 : 1)
      return typeof schema.maximum === 'number' ? Math.min(min, schema.maximum) : min
    }
    case 'boolean': return true
    case 'null': return null
    case 'string': return stringExample(schema, name)
    default: return {}
  }
}
/** Plausible values by field name, so that a derived body gets past the service's own checks more often. */
const BY_NAME: Record<string, string> = { scopes: 'auth:read', timeZone: 'Europe/Berlin', password: 'a-long-password-123456', next: 'a-long-password-123456', role: 'member' }
function stringExample (s: JsonSchema, name = ''): string {
  const min = Number(s.minLength ?? 1)
  const named = BY_NAME[name]
  if (named !== undefined && named.length >= min && named.length <= Number(s.maxLength ?? Infinity) && (typeof s.pattern !== 'string' || new RegExp(s.pattern).test(named))) return named
  switch (s.format) {
    case 'uuid': return uuidv7()
    case 'email': return `sec-${randomBytes(4).toString('hex')}@example.com`
    case 'date-time': return new Date().toISOString()
    case 'date': return new Date().toISOString().slice(0, 10)
    case 'uri': return 'https://example.com/x'
  }
  if (typeof s.pattern === 'string') {
    const re = new RegExp(s.pattern)
    for (const c of ['Europe/Berlin', 'UTC', 'abc', 'a1', 'sec-test', '1-1', uuidv7(), 'auth:read', 'x'.repeat(min)]) if (re.test(c)) return c
  }
  const base = 'Security Test Value 1234567890'
  return base.repeat(Math.ceil(min / base.length)).slice(0, Math.max(min, Math.min(base.length, Number(s.maxLength ?? base.length))))
}

// ---------------------------------------------------------------------------------------------------------
// Credentials

interface KeyFile { keys: Array<{ kid: string, privateJwk: Record<string, unknown>, publicJwk: Record<string, unknown> }> }
const b64url = (v: string | Buffer) => Buffer.from(v).toString('base64url')

/**
 * Signs a JWT by hand (node:crypto), so an attack can differ from a valid token in exactly one thing.
 * EdDSA signatures are deterministic, so a token made here is byte-for-byte what jose's SignJWT makes
 * (jose is a dependency of the testing package, not of the repository root this suite resolves from).
 */
export function signJwt (header: Record<string, unknown>, payload: Record<string, unknown>, key: { ed25519: KeyObject } | { hmac: Buffer | string } | 'none'): string {
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`
  if (key === 'none') return `${input}.`
  if ('ed25519' in key) return `${input}.${sign(null, Buffer.from(input), key.ed25519).toString('base64url')}`
  return `${input}.${createHmac('sha256', key.hmac).update(input).digest('base64url')}`
}

export interface Tokens {
  kid: string
  privateKey: KeyObject
  /** raw Ed25519 public key bytes (the JWK `x`) and its SPKI PEM, for key confusion */
  publicRaw: Buffer
  publicPem: string
  header: (extra?: Record<string, unknown>) => Record<string, unknown>
  claims: (c?: { sub?: string, role?: Role, sid?: string, ttlS?: number, extra?: Record<string, unknown> }) => Record<string, unknown>
  /** a valid access token, as auth signs it */
  access: (c?: { sub?: string, role?: Role, sid?: string, ttlS?: number }) => string
}

export function tokens (): Tokens {
  const file = JSON.parse(readFileSync(testEnv().jwtKeysFile, 'utf8')) as KeyFile
  const current = file.keys[0]!
  const privateKey = createPrivateKey({ key: { ...current.privateJwk } as never, format: 'jwk' })
  const publicKey = createPublicKey({ key: { ...current.publicJwk } as never, format: 'jwk' })
  const header = (extra: Record<string, unknown> = {}) => ({ alg: 'EdDSA', kid: current.kid, typ: 'at+jwt', ...extra })
  const claims = (c: { sub?: string, role?: Role, sid?: string, ttlS?: number, extra?: Record<string, unknown> } = {}) => {
    const now = Math.floor(Date.now() / 1000)
    return { role: c.role ?? 'owner', sid: c.sid ?? uuidv7(), sub: c.sub ?? uuidv7(), iss: 'robbie-auth', aud: 'robbie', jti: uuidv7(), nbf: now, iat: now, exp: now + (c.ttlS ?? 300), ...c.extra }
  }
  return {
    kid: current.kid,
    privateKey,
    publicRaw: Buffer.from(String(current.publicJwk.x), 'base64url'),
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    header,
    claims,
    access: (c = {}) => signJwt(header(), claims(c), { ed25519: privateKey })
  }
}

/** A different Ed25519 key, for forgeries that keep the real kid. */
export const foreignKey = (): KeyObject => generateKeyPairSync('ed25519').privateKey

// ---------------------------------------------------------------------------------------------------------
// Building the fleet

export interface SecurityApp {
  service: string
  app: App
  ctx: TestAppContext
  /** the brief's service identity: a `svc` key that this app's verifyApiKey maps to svc:auth */
  svcKey: string
  /** one key per service name (svc:<name>), to reach internal routes as their allowed callers */
  serviceKeys: Record<string, string>
  /** a node agent's key (`node:security-node`, scope gpu-coordinator:heartbeat) */
  nodeKey: string
  publicDoc: OpenApiDoc
  internalDoc: OpenApiDoc
  operations: Operation[]
  /** lines the app printed (auth prints its one-time setup code) */
  printed: string[]
  /** the caller that internal route `op` lets past its allowedCallers (probed), or null if none of SERVICES */
  internalCaller: (op: Operation) => Promise<string | null>
}

let keyFiles: Record<string, string> | undefined
/** The per-fleet key files npm start writes (bootstrap), for services whose config needs them. */
function keyFileEnv (): Record<string, string> {
  if (!keyFiles) {
    const runDir = mkdtempSync(join(tmpdir(), 'robbie-security-'))
    const { keysDir } = bootstrapKeys({ runDir, services: [] })
    keyFiles = {
      ROBBIE_AUDIT_HMAC_KEY_FILE: join(keysDir, 'audit-hmac'),
      ROBBIE_APIKEY_PEPPER_FILE: join(keysDir, 'apikey-pepper'),
      ROBBIE_AUDIT_CHECKPOINT_KEY_FILE: join(keysDir, 'audit-checkpoint.json'),
      ROBBIE_SECRETS_MASTER_KEY_FILE: join(keysDir, 'secrets-master.key')
    }
  }
  return keyFiles
}

/** fleet.json's maxBody in bytes, as scripts/supervisor.mjs hands it to the kit as ROBBIE_BODY_LIMIT. */
export function bodyLimitOf (service: string): number {
  const fleet = JSON.parse(readFileSync(join(root, 'fleet.json'), 'utf8')) as { services: Array<{ name: string, maxBody?: string }> }
  const m = /^([0-9]+)([kKmM]?)$/.exec(fleet.services.find((s) => s.name === service)?.maxBody ?? '1m')!
  return Number(m[1]) * ({ k: 1024, m: 1048576 }[m[2]!.toLowerCase()] ?? 1)
}

async function gpuNodeEnv (): Promise<Record<string, string>> {
  const node = await startFakeOllama({ tokensPerSecond: 1000 })
  afterAll(async () => { await node.close() })
  return {
    ROBBIE_GPU_NODES: JSON.stringify([{ name: 'security-node', baseUrl: node.url }]),
    ROBBIE_GPU_ALLOW_LOOPBACK: 'true',
    ROBBIE_GPU_PS_INTERVAL_MS: '200'
  }
}

/** Until the coordinator's first poll has found the fake node's models. */
async function nodeReady (app: object): Promise<void> {
  const mesh = (app as unknown as { mesh?: { catalogue (): { models: unknown[] } } }).mesh
  for (let i = 0; i < 100 && mesh && mesh.catalogue().models.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 100))
}

export async function buildService (service: string): Promise<SecurityApp> {
  const { createApp } = await import(join(root, 'services', service, 'src', 'app.ts')) as AppModule
  const { configSchema } = await import(join(root, 'services', service, 'src', 'config.ts')) as ConfigModule
  // the coordinator gets one fake Ollama node, so well-formed model calls reach a node (a node-less coordinator
  // answers 503 NO_NODES, which is right for it but hides what the routes do with the input)
  const gpu = service === 'gpu-coordinator' ? await gpuNodeEnv() : {}
  const ctx = await testContext(service, {
    ...gpu,
    // SPEC §0.5: test fleets raise every rate limit by config; this suite sends thousands of requests from 127.0.0.1
    ROBBIE_RATE_LIMIT_MULTIPLIER: RATE_LIMIT_MULTIPLIER,
    ROBBIE_BODY_LIMIT: String(bodyLimitOf(service)),
    ...keyFileEnv()
  }, afterAll)
  const svcKey = generateApiKey('svc').key
  const serviceKeys = Object.fromEntries(SERVICES.map((s) => [s, generateApiKey('svc').key]))
  const identities = new Map<string, Identity>([[svcKey, { kind: 'service', id: 'svc:auth', scopes: [] }]])
  for (const [s, k] of Object.entries(serviceKeys)) identities.set(k, { kind: 'service', id: `svc:${s}`, scopes: [] })
  // a GPU node agent's key (SPEC §2.3): the only identity holding gpu-coordinator:heartbeat
  const nodeKey = generateApiKey('svc').key
  identities.set(nodeKey, { kind: 'node', id: 'node:security-node', scopes: ['gpu-coordinator:heartbeat'] })
  const verifyApiKey = async (key: string) => {
    const identity = identities.get(key)
    return identity ? { identity, expiresAt: null } : null
  }
  const printed: string[] = []
  const app = await buildTestApp(async () => await createApp(loadConfig(configSchema, ctx.env), { verifyApiKey, print: (line: string) => { printed.push(line) } }), afterAll)
  await nodeReady(app)

  const pub = await send(app, { method: 'GET', url: `/api/${service}/openapi.json` })
  if (pub.statusCode !== 200) throw new Error(`${service}: GET /api/${service}/openapi.json answered ${pub.statusCode}`)
  const int = await send(app, { method: 'GET', url: `/internal/${service}/openapi.json`, headers: { authorization: `Bearer ${svcKey}` } })
  if (int.statusCode !== 200) throw new Error(`${service}: GET /internal/${service}/openapi.json with a service key answered ${int.statusCode} ${int.body}`)
  const publicDoc = pub.json() as OpenApiDoc
  const internalDoc = int.json() as OpenApiDoc
  const operations = [...operationsOf(service, publicDoc, false), ...operationsOf(service, internalDoc, true)]

  const callers = new Map<string, string | null>()
  const internalCaller = async (op: Operation): Promise<string | null> => {
    if (callers.has(op.label)) return callers.get(op.label)!
    let found: string | null = null
    for (const s of SERVICES) {
      const res = await send(app, { method: op.method, url: op.url, headers: { authorization: `Bearer ${serviceKeys[s]!}` } })
      if (res.statusCode !== 403 && res.statusCode !== 401) { found = s; break }
    }
    callers.set(op.label, found)
    return found
  }
  return { service, app, ctx, svcKey, serviceKeys, nodeKey, publicDoc, internalDoc, operations, printed, internalCaller }
}

/** Builds every service of SERVICES, one after the other (2 cores). */
export async function buildFleet (): Promise<SecurityApp[]> {
  const out: SecurityApp[] = []
  for (const service of SERVICES) out.push(await buildService(service))
  return out
}

/** The request's credentials for an authenticated call to `op`: an owner token, or an allowed caller's key. */
export async function credentialFor (s: SecurityApp, op: Operation, t: Tokens, sub?: string): Promise<string | null> {
  // node agents' routes (SPEC §7.1 heartbeat) answer to a node's key alone; no user role holds their scope
  if (!op.internal && op.route.endsWith('/heartbeat')) return s.nodeKey
  if (!op.internal) return t.access({ role: 'owner', ...(sub ? { sub } : {}) })
  const caller = await s.internalCaller(op)
  return caller ? s.serviceKeys[caller]! : null
}

// ---------------------------------------------------------------------------------------------------------
// Users in auth, made through its own API (never raw SQL)

export interface User { id: string, email: string, password: string, role: Role, accessToken: string, cookie: string }

const cookieOf = (res: Res): string => {
  const raw = res.headers['set-cookie']
  const first = (Array.isArray(raw) ? raw : [String(raw ?? '')]).find((c) => c.startsWith('robbie_rt=')) ?? ''
  return first.split(';')[0] ?? ''
}

/** The first account (the owner), through POST /api/auth/setup with the setup code auth printed at start. */
export async function setupOwner (s: SecurityApp): Promise<User> {
  const code = s.printed.map((l) => /setup code[^:]*:\s*(\S+)/i.exec(l)?.[1]).find(Boolean)
  if (!code) throw new Error(`auth printed no setup code: ${JSON.stringify(s.printed)}`)
  const email = `owner-${randomBytes(4).toString('hex')}@example.com`
  const password = `owner-pass-${randomBytes(8).toString('hex')}`
  const res = await send(s.app, {
    method: 'POST',
    url: '/api/auth/setup',
    payload: { setupCode: code, email, name: 'Security Owner', password, companyName: 'Security Co', timeZone: 'Europe/Berlin' }
  })
  if (res.statusCode !== 201) throw new Error(`POST /api/auth/setup answered ${res.statusCode} ${res.body}`)
  const body = res.json() as { user: { id: string }, accessToken: string }
  return { id: body.user.id, email, password, role: 'owner', accessToken: body.accessToken, cookie: cookieOf(res) }
}

export async function login (s: SecurityApp, email: string, password: string): Promise<{ accessToken: string, cookie: string, id: string, res: Res }> {
  const res = await send(s.app, { method: 'POST', url: '/api/auth/login', payload: { email, password } })
  if (res.statusCode !== 200) throw new Error(`POST /api/auth/login answered ${res.statusCode} ${res.body}`)
  const body = res.json() as { accessToken: string, user: { id: string } }
  return { accessToken: body.accessToken, cookie: cookieOf(res), id: body.user.id, res }
}

/** Invites a user (as `by`) and accepts the invite through the API; returns the logged-in user. */
export async function inviteUser (s: SecurityApp, by: User, role: 'admin' | 'member'): Promise<User> {
  const email = `${role}-${randomBytes(4).toString('hex')}@example.com`
  const password = `${role}-pass-${randomBytes(8).toString('hex')}`
  const inv = await send(s.app, { method: 'POST', url: '/api/auth/invites', headers: { authorization: `Bearer ${by.accessToken}` }, payload: { email, role } })
  if (inv.statusCode !== 201) throw new Error(`POST /api/auth/invites answered ${inv.statusCode} ${inv.body}`)
  const { inviteUrl } = inv.json() as { inviteUrl: string }
  const token = new URL(inviteUrl, 'http://localhost').searchParams.get('token') ?? decodeURIComponent(inviteUrl.split(/[#=/]/).pop() ?? '')
  const acc = await send(s.app, { method: 'POST', url: '/api/auth/invites/accept', payload: { token, name: `Security ${role}`, password } })
  if (acc.statusCode !== 200 && acc.statusCode !== 201) throw new Error(`POST /api/auth/invites/accept answered ${acc.statusCode} ${acc.body}`)
  const body = acc.json() as { accessToken: string, user: { id: string } }
  return { id: body.user.id, email, password, role, accessToken: body.accessToken, cookie: cookieOf(acc) }
}
