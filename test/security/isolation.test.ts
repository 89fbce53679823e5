// Object-route isolation (SPEC §1.2, §2.1–§2.4, CONVENTIONS §7 "someone else's object is a 404, like a missing
// one"), over every operation with a path parameter that the services' OpenAPI documents list at run time.
// Users are made through auth's own API: the owner by POST /api/auth/setup (with the setup code auth prints),
// two admins and two members by invite + accept; every object is made by its victim through the API.
// For each covered operation and each (victim, attacker) pair where the attacker has no right to the object,
// the attacker's read or write answers exactly what a missing object answers (404 AUTH_NOT_FOUND for sessions,
// keys and audit rows; for users, whose existence admins may know, never 2xx and no existence oracle for
// members), and the object is unchanged afterwards. Dead-letter replay (every service) and node-key revocation
// (auth, internal) are isolated by role and by calling service instead, and are tested as such below.
// Operations with a path parameter for which this suite has no object factory are listed as `todo`, by name, so
// nothing is skipped silently.
// Rate limits: the apps are built with ROBBIE_RATE_LIMIT_MULTIPLIER=1000 (see harness.ts).
import { describe, expect, it } from 'vitest'
import { codePrefix, uuidv7 } from '@robbie/contracts'
import {
  buildFleet, codeOf, errorShapeProblem, exampleOf, inviteUser, login, send, setupOwner,
  type Operation, type Res, type SecurityApp, type User
} from './harness.js'

const fleet = await buildFleet()
const auth = fleet.find((s) => s.service === 'auth')!
const owner = await setupOwner(auth)
const admin1 = await inviteUser(auth, owner, 'admin')
const admin2 = await inviteUser(auth, owner, 'admin')
const member1 = await inviteUser(auth, owner, 'member')
const member2 = await inviteUser(auth, owner, 'member')
const users: Array<[string, User]> = [['owner', owner], ['admin1', admin1], ['admin2', admin2], ['member1', member1], ['member2', member2]]
const nameOf = (u: User) => users.find(([, v]) => v === u)![0]

const as = (u: User | string, method: string, url: string, payload?: unknown): Promise<Res> => send(auth.app, {
  method,
  url,
  headers: { authorization: `Bearer ${typeof u === 'string' ? u : u.accessToken}`, ...(payload !== undefined ? { 'content-type': 'application/json' } : {}) },
  ...(payload !== undefined ? { payload: JSON.stringify(payload) } : {})
})
/** A fresh token for `u` (a new login: a session of its own, so a revoked one never spoils later cases). */
const fresh = async (u: User) => (await login(auth, u.email, u.password)).accessToken

/** What one kind of object needs: a maker (as the victim), a snapshot, and who may touch it. */
interface Kind {
  name: string
  route: RegExp
  /** makes the object as `victim`; returns the path parameters that name it */
  make: (victim: User) => Promise<{ params: Record<string, string>, snapshot: () => Promise<unknown>, token: string }>
  entitled: (attacker: User, victim: User) => boolean
  /** 'not-found': attacker gets 404 <S>_NOT_FOUND; 'no-oracle': never 2xx, and the same answer as for a missing object */
  expect: 'not-found' | 'no-oracle'
  /** the attacker's own listing must not show the victim's object */
  list?: (attacker: User, params: Record<string, string>) => Promise<string | null>
}

const sessionsOf = async (token: string) => ((await as(token, 'GET', '/api/auth/sessions')).json() as { items: Array<{ id: string, current: boolean, createdAt: string, expiresAt: string }> }).items
const keysOf = async (token: string, query = '') => {
  const res = await as(token, 'GET', `/api/auth/keys${query}`)
  return res.statusCode === 200 ? (res.json() as { items: Array<{ id: string, name: string, scopes: string[], revokedAt: string | null, expiresAt: string | null }> }).items : []
}
const usersList = async () => ((await as(owner.accessToken, 'GET', '/api/auth/users?limit=200')).json() as { items: Array<{ id: string, name: string, role: string, status: string }> }).items
const verifyCaller = async (): Promise<string> => {
  const op = auth.operations.find((o) => o.label === 'POST /internal/auth/keys/verify')
  const caller = op ? await auth.internalCaller(op) : null
  return caller ? auth.serviceKeys[caller]! : ''
}

const KINDS: Kind[] = [
  {
    name: 'session',
    route: /^\/api\/auth\/sessions\/:id$/,
    async make (victim) {
      const token = await fresh(victim)
      const current = (await sessionsOf(token)).find((s) => s.current)
      if (!current) throw new Error('GET /api/auth/sessions shows no current session')
      return {
        token,
        params: { id: current.id },
        snapshot: async () => ({
          listed: (await sessionsOf(token)).filter((s) => s.id === current.id).map(({ id, createdAt, expiresAt }) => ({ id, createdAt, expiresAt })),
          tokenWorks: (await as(token, 'GET', '/api/auth/me')).statusCode
        })
      }
    },
    entitled: (a, v) => a === v, // own sessions only, whatever the role
    expect: 'not-found',
    list: async (attacker, params) => (await sessionsOf(await fresh(attacker))).some((s) => s.id === params.id) ? 'listed in GET /api/auth/sessions' : null
  },
  {
    name: 'api key',
    route: /^\/api\/auth\/keys\/:id(\/rotate)?$/,
    async make (victim) {
      const token = await fresh(victim)
      const res = await as(token, 'POST', '/api/auth/keys', { name: `iso-${nameOf(victim)}`, scopes: ['auth:read'] })
      if (res.statusCode !== 201) throw new Error(`POST /api/auth/keys → ${res.statusCode} ${res.body}`)
      const { id, key } = res.json() as { id: string, key: string }
      const svc = await verifyCaller()
      return {
        token,
        params: { id },
        snapshot: async () => ({
          listed: (await keysOf(token)).filter((k) => k.id === id).map(({ id, name, scopes, revokedAt, expiresAt }) => ({ id, name, scopes, revokedAt, expiresAt })),
          verifies: svc ? (await send(auth.app, { method: 'POST', url: '/internal/auth/keys/verify', headers: { authorization: `Bearer ${svc}`, 'content-type': 'application/json' }, payload: JSON.stringify({ key }) })).statusCode : 'no verify route'
        })
      }
    },
    // SPEC §2.3 / keys.routes.ts: own; admins members'; the owner any
    entitled: (a, v) => a === v || a.role === 'owner' || (a.role === 'admin' && v.role === 'member'),
    // SPEC §1.1 gives admins "API keys: own; revoke members'": the owner's and other admins' keys are not theirs
    // to know of, so listing them (GET /api/auth/keys?userId=<id>), revoking or rotating one answers 404 like a
    // missing key (the keys module once answered the listing and a 403 AUTH_FORBIDDEN, an existence oracle).
    expect: 'not-found',
    list: async (attacker, params) => {
      const token = await fresh(attacker)
      const victim = users.find(([, u]) => u !== attacker)
      if ((await keysOf(token)).some((k) => k.id === params.id)) return 'listed in GET /api/auth/keys'
      for (const [, u] of users) if (u !== attacker && victim && (await keysOf(token, `?userId=${u.id}`)).some((k) => k.id === params.id)) return `listed in GET /api/auth/keys?userId=${u.id}`
      return null
    }
  },
  {
    name: 'user',
    route: /^\/api\/auth\/users\/:id$/,
    async make (victim) {
      return {
        token: victim.accessToken,
        params: { id: victim.id },
        // lastLoginAt aside: the attacker's own fresh login moves it when attacker and victim are one user
        snapshot: async () => usersList().then((all) => all.filter((u) => u.id === victim.id).map(({ id, name, role, status }) => ({ id, name, role, status })))
      }
    },
    // SPEC §2.2: owner (not on the owner), admin for members
    entitled: (a, v) => (a.role === 'owner' && v.role !== 'owner') || (a.role === 'admin' && v.role === 'member'),
    expect: 'no-oracle'
  },
  {
    name: 'audit row',
    route: /^\/api\/auth\/audit\/:service\/:seq$/,
    async make (victim) {
      const token = await fresh(victim) // the login itself is audited with the victim as actor
      const res = await as(token, 'GET', '/api/auth/audit?limit=200')
      const own = (res.json() as { items?: Array<{ service: string, seq: number, actorId: string | null }> }).items?.find((r) => r.actorId === victim.id)
      if (!own) throw new Error(`no audit row with actor ${nameOf(victim)} in GET /api/auth/audit: ${res.statusCode} ${res.body.slice(0, 200)}`)
      const url = `/api/auth/audit/${own.service}/${own.seq}`
      return { token, params: { service: own.service, seq: String(own.seq) }, snapshot: async () => (await as(owner.accessToken, 'GET', url)).body }
    },
    // SPEC §2.3: members hold auth:audit for their own rows only; owner and admins read all
    entitled: (a, v) => a === v || a.role !== 'member',
    expect: 'not-found',
    list: async (attacker, params) => {
      const res = await as(await fresh(attacker), 'GET', '/api/auth/audit?limit=200')
      return ((res.json() as { items?: Array<{ service: string, seq: number }> }).items ?? []).some((r) => r.service === params.service && String(r.seq) === params.seq) ? 'listed in GET /api/auth/audit' : null
    }
  }
]

const withParams = (op: Operation, params: Record<string, string>) => op.pathParams.reduce((u, p) => u.replace(`{${p.name}}`, encodeURIComponent(params[p.name] ?? '')), op.path)
const missingParams = (op: Operation, params: Record<string, string>): Record<string, string> =>
  Object.fromEntries(Object.entries(params).map(([k, v]) => [k, k === 'seq' ? '999999999' : k === 'service' ? v : /^[0-9a-f-]{36}$/.test(v) ? uuidv7() : `${v.slice(0, -4)}zzzz`]))
/** A body that would change the object if the attacker were let through. */
const attackBody = (op: Operation): unknown => {
  if (!['POST', 'PUT', 'PATCH'].includes(op.method)) return undefined
  const example = exampleOf(op.body)
  return example && typeof example === 'object' && !Array.isArray(example) ? { ...example, ...(op.route.endsWith('/users/:id') ? { status: 'disabled', role: 'member', name: 'pwned' } : {}) } : example
}

async function attackAll (op: Operation, kind: Kind): Promise<void> {
  const failures: string[] = []
  let pairs = 0
  for (const [vName, victim] of users) {
    for (const [aName, attacker] of users) {
      if (kind.entitled(attacker, victim)) continue
      pairs++
      const obj = await kind.make(victim)
      const before = await obj.snapshot()
      const token = await fresh(attacker)
      const body = attackBody(op)
      const res = await as(token, op.method, withParams(op, obj.params), body)
      const missing = await as(token, op.method, withParams(op, missingParams(op, obj.params)), body)
      const tag = `${aName} → ${vName}'s ${kind.name}`
      if (kind.expect === 'not-found') {
        if (res.statusCode !== 404 || codeOf(res) !== 'AUTH_NOT_FOUND') failures.push(`${tag}: ${res.statusCode} ${res.body.slice(0, 160)} (want 404 AUTH_NOT_FOUND)`)
      } else if (res.statusCode < 300) {
        failures.push(`${tag}: ${res.statusCode} ${res.body.slice(0, 160)}`)
      } else if (attacker.role === 'member' && (res.statusCode !== missing.statusCode || codeOf(res) !== codeOf(missing))) {
        failures.push(`${tag}: ${res.statusCode} ${codeOf(res) ?? ''} for the real object but ${missing.statusCode} ${codeOf(missing) ?? ''} for a missing one (existence oracle)`)
      }
      if (res.statusCode >= 300 && errorShapeProblem(res, 'auth')) failures.push(`${tag}: ${errorShapeProblem(res, 'auth')!}`)
      const after = await obj.snapshot()
      if (JSON.stringify(after) !== JSON.stringify(before)) failures.push(`${tag}: object changed: ${JSON.stringify(before)} → ${JSON.stringify(after)}`)
      const listed = await kind.list?.(attacker, obj.params)
      if (listed) failures.push(`${tag}: ${listed}`)
    }
  }
  expect(pairs).toBeGreaterThan(0)
  expect(failures).toEqual([])
}

// Dead letters (SPEC §9: GET /api/<svc>/admin/dead-letters and POST …/:id/replay, roles owner and admin) are
// not a user's objects but the service's; the isolation to guard is by role: a member gets 403 <S>_FORBIDDEN
// and nothing is replayed, whether the id names a dead letter or not (so no existence oracle either). The
// factory writes a poisoned entry straight into the service's dead-letter stream (what the consumer does after
// 5 failed deliveries), pointing its replay at a stream of its own that no consumer reads.
const isDeadLetterReplay = (op: Operation) => /^\/api\/[^/]+\/admin\/dead-letters\/:id\/replay$/.test(op.route)
async function makeDeadLetter (s: SecurityApp): Promise<{ id: string, target: string, state: () => Promise<{ dead: number, replayed: number }> }> {
  const redis = s.app.redis
  const dead = redis.keys.dead(s.service)
  const target = `${dead}:security-replayed:${uuidv7()}`
  const envelope = JSON.stringify({ id: uuidv7(), type: 'security.test', source: 'security', occurredAt: new Date().toISOString(), payload: {} })
  const id = await redis.client.xadd(dead, '*', 'type', 'security.test', 'envelope', envelope, 'stream', target, 'deliveries', '5', 'lastError', 'poisoned by test/security', 'deadAt', new Date().toISOString())
  if (!id) throw new Error(`XADD ${dead} returned no id`)
  return { id, target, state: async () => ({ dead: (await redis.client.xrange(dead, id, id)).length, replayed: await redis.client.xlen(target) }) }
}
const asIn = (s: SecurityApp, token: string, method: string, url: string): Promise<Res> => send(s.app, { method, url, headers: { authorization: `Bearer ${token}` } })

// Node keys (DELETE /internal/auth/node-keys/:nodeName) belong to the gpu-coordinator flow: only that service
// (allowedCallers) may revoke a node's key; any other service's key gets 403 AUTH_FORBIDDEN and the node's key
// keeps verifying. The factory mints one through POST /internal/auth/node-keys as svc:gpu-coordinator.
const isNodeKeyRevoke = (op: Operation) => op.label === 'DELETE /internal/auth/node-keys/:nodeName'

const withParam = fleet.flatMap((s: SecurityApp) => s.operations.filter((o) => o.pathParams.length > 0))
const covered = withParam.filter((op) => op.service === 'auth' && !op.internal && KINDS.some((k) => k.route.test(op.route)))
const uncovered = withParam.filter((op) => !covered.includes(op) && !isDeadLetterReplay(op) && !isNodeKeyRevoke(op))

describe('isolation: operations with a path parameter that name another user\'s object', () => {
  it('the documents list object routes, and this suite covers sessions, API keys, users and audit rows among them', () => {
    expect(covered.map((o) => o.label)).toEqual(expect.arrayContaining(['DELETE /api/auth/sessions/:id', 'DELETE /api/auth/keys/:id']))
    console.log(`security/isolation: covers ${withParam.length - uncovered.length} of ${withParam.length} operations with a path parameter (by owner: ${covered.map((o) => o.label).join(', ')}; by role or caller: dead-letter replay, node-key revocation); todo: ${uncovered.length}`)
  })

  for (const op of covered) {
    const kind = KINDS.find((k) => k.route.test(op.route))!
    const title = `${op.label} (${kind.name}): every attacker without a right to it gets ${kind.expect === 'not-found' ? '404, as for a missing one' : 'no 2xx and no existence oracle'}, and it stays unchanged`
    it(title, async () => { await attackAll(op, kind) })
  }

  // an admin asking for the owner's or another admin's keys learns nothing: 404, as for a user that does not exist
  it('GET /api/auth/keys?userId=: an admin gets 404 AUTH_NOT_FOUND for the owner and another admin, as for a missing user; members\' keys are listed (control)', async () => {
    const failures: string[] = []
    const token = await fresh(admin1)
    for (const [name, target] of [['owner', owner.id], ['admin2', admin2.id], ['a missing user', uuidv7()]] as const) {
      const res = await as(token, 'GET', `/api/auth/keys?userId=${target}`)
      if (res.statusCode !== 404 || codeOf(res) !== 'AUTH_NOT_FOUND' || errorShapeProblem(res, 'auth')) failures.push(`admin1 lists ${name}'s keys → ${res.statusCode} ${res.body.slice(0, 160)}`)
    }
    const member = await as(token, 'GET', `/api/auth/keys?userId=${member1.id}`)
    if (member.statusCode !== 200) failures.push(`admin1 lists member1's keys → ${member.statusCode} ${member.body.slice(0, 160)}`)
    expect(failures).toEqual([])
  })

  // Operations with a path parameter for which this suite has no object factory yet. Listed by name, never
  // skipped silently. The secrets entries (/api/secrets/entries/:service/:name…, /api/secrets/resolve/:service/
  // :name) are exercised by role in services/secrets/test/secrets.routes.int.test.ts; their rules are by role and
  // the entry's visibility (SPEC §5.1), not by owner, so they need a factory for owner-visibility entries too.
  for (const op of uncovered) it.todo(`${op.label}: no object factory in test/security/isolation.test.ts yet`)
})

describe('isolation by role: dead-letter replay is for owners and admins', () => {
  const ops = fleet.flatMap((s) => s.operations.filter(isDeadLetterReplay).map((op) => [op.label, s, op] as const))
  it('every service documents its replay route', () => { expect(ops.length).toBe(fleet.length) })
  it.each(ops)('%s: a member gets 403 <S>_FORBIDDEN (a missing id too) and nothing is replayed; owner and admins replay it (202)', async (_label, s, op) => {
    const failures: string[] = []
    const prefix = `${codePrefix(s.service)}_`
    const dl = await makeDeadLetter(s)
    const before = await dl.state()
    expect(before).toEqual({ dead: 1, replayed: 0 })
    for (const member of [member1, member2]) {
      const token = await fresh(member)
      const res = await asIn(s, token, op.method, op.path.replace('{id}', dl.id))
      const missing = await asIn(s, token, op.method, op.path.replace('{id}', `${dl.id.split('-')[0]!}-999999`))
      const list = await asIn(s, token, 'GET', `/api/${s.service}/admin/dead-letters`)
      const tag = `${nameOf(member)} → ${s.service} dead letter`
      if (res.statusCode !== 403 || codeOf(res) !== `${prefix}FORBIDDEN` || errorShapeProblem(res, s.service)) failures.push(`${tag}: ${res.statusCode} ${res.body.slice(0, 160)} (want 403 ${prefix}FORBIDDEN)`)
      if (missing.statusCode !== res.statusCode || codeOf(missing) !== codeOf(res)) failures.push(`${tag}: ${res.statusCode} for a real id but ${missing.statusCode} ${codeOf(missing) ?? ''} for a missing one (existence oracle)`)
      if (list.statusCode !== 403 || codeOf(list) !== `${prefix}FORBIDDEN`) failures.push(`${nameOf(member)} GET /api/${s.service}/admin/dead-letters → ${list.statusCode} ${list.body.slice(0, 160)}`)
      const after = await dl.state()
      if (JSON.stringify(after) !== JSON.stringify(before)) failures.push(`${tag}: replayed anyway: ${JSON.stringify(before)} → ${JSON.stringify(after)}`)
    }
    // control: the roles that may replay do, once, and the dead letter moves to its stream
    for (const [who, u] of [['owner', owner], ['admin1', admin1]] as const) {
      const mine = who === 'owner' ? dl : await makeDeadLetter(s)
      const res = await asIn(s, await fresh(u), op.method, op.path.replace('{id}', mine.id))
      if (res.statusCode !== 202) failures.push(`${who} replay → ${res.statusCode} ${res.body.slice(0, 160)} (want 202)`)
      const after = await mine.state()
      if (JSON.stringify(after) !== JSON.stringify({ dead: 0, replayed: 1 })) failures.push(`${who} replay: state ${JSON.stringify(after)}`)
    }
    expect(failures).toEqual([])
  })
})

describe('isolation by caller: a GPU node\'s key is revoked by gpu-coordinator only', () => {
  const op = auth.operations.find(isNodeKeyRevoke)
  it('DELETE /internal/auth/node-keys/:nodeName: every other service gets 403 AUTH_FORBIDDEN and the node key keeps verifying; gpu-coordinator revokes it (control)', async () => {
    expect(op, 'auth documents DELETE /internal/auth/node-keys/:nodeName').toBeDefined()
    const svc = (name: string) => auth.serviceKeys[name]!
    const nodeName = `sec-node-${uuidv7().slice(-8)}`
    const minted = await send(auth.app, { method: 'POST', url: '/internal/auth/node-keys', headers: { authorization: `Bearer ${svc('gpu-coordinator')}`, 'content-type': 'application/json' }, payload: JSON.stringify({ nodeName }) })
    expect(minted.statusCode, minted.body).toBe(201)
    const { key } = minted.json() as { key: string }
    const verifier = await verifyCaller()
    const verifies = async () => (await send(auth.app, { method: 'POST', url: '/internal/auth/keys/verify', headers: { authorization: `Bearer ${verifier}`, 'content-type': 'application/json' }, payload: JSON.stringify({ key }) })).statusCode
    const before = await verifies()
    expect(before).toBe(200)
    const failures: string[] = []
    for (const name of Object.keys(auth.serviceKeys).filter((n) => n !== 'gpu-coordinator')) {
      const res = await send(auth.app, { method: 'DELETE', url: `/internal/auth/node-keys/${nodeName}`, headers: { authorization: `Bearer ${svc(name)}` } })
      if (res.statusCode !== 403 || codeOf(res) !== 'AUTH_FORBIDDEN' || errorShapeProblem(res, 'auth')) failures.push(`svc:${name} → ${res.statusCode} ${res.body.slice(0, 160)} (want 403 AUTH_FORBIDDEN)`)
      if (await verifies() !== before) failures.push(`svc:${name}: the node key stopped verifying`)
    }
    for (const u of [owner, admin1, member1]) {
      const res = await send(auth.app, { method: 'DELETE', url: `/internal/auth/node-keys/${nodeName}`, headers: { authorization: `Bearer ${await fresh(u)}` } })
      if (res.statusCode !== 401 && res.statusCode !== 403) failures.push(`${nameOf(u)}'s token → ${res.statusCode} ${res.body.slice(0, 160)}`)
      if (await verifies() !== before) failures.push(`${nameOf(u)}: the node key stopped verifying`)
    }
    const revoked = await send(auth.app, { method: 'DELETE', url: `/internal/auth/node-keys/${nodeName}`, headers: { authorization: `Bearer ${svc('gpu-coordinator')}` } })
    if (revoked.statusCode !== 204) failures.push(`svc:gpu-coordinator → ${revoked.statusCode} ${revoked.body.slice(0, 160)} (want 204)`)
    if (await verifies() === before) failures.push('the node key still verifies after gpu-coordinator revoked it')
    expect(failures).toEqual([])
  })
})
