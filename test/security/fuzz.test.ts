// Property-based fuzzing (fast-check) of every operation of every service's public and internal OpenAPI
// documents, enumerated at run time: bodies (JSON values, deep nesting, strings up to ~100 KB, edge numbers,
// unicode and lone surrogates, arrays, __proto__/constructor/prototype keys, invalid JSON text, and bodies
// derived from the route's own schema with one field perturbed), query strings and path parameters, sent
// with a genuine credential (an owner token minted per request; for internal routes the key of a service
// their allowedCallers admit) and with none. The property: never a 5xx, and every non-2xx answer has the
// `{ error: { code, message, requestId } }` body of SPEC §0.2 with the service's code prefix.
// Bounded: FUZZ_RUNS runs per operation with a credential, fewer without; fast-check prints the seed and
// path of a failure (re-run with FUZZ_SEED=<seed> to replay it).
// Rate limits: apps are built with ROBBIE_RATE_LIMIT_MULTIPLIER=1000 (see harness.ts).
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { codePrefix, uuidv7 } from '@robbie/contracts'
import {
  buildFleet, codeOf, credentialFor, errorShapeProblem, exampleOf, fillParam, send, setupOwner, tokens,
  type JsonSchema, type Operation, type Param, type Res, type SecurityApp
} from './harness.js'

const FUZZ_RUNS = Number(process.env.FUZZ_RUNS ?? 60)
const ANON_RUNS = Math.max(5, Math.round(FUZZ_RUNS / 4))
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined

const fleet = await buildFleet()
const t = tokens()
const auth = fleet.find((s) => s.service === 'auth')!
const owner = await setupOwner(auth)

// ---------------------------------------------------------------------------------------------------------
// Arbitraries

const edgeNumbers = fc.constantFrom(0, -0, 1, -1, 0.5, 1e308, -1e308, 5e-324, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 2,
  Number.MIN_SAFE_INTEGER, 2 ** 31, -(2 ** 31) - 1, 2 ** 63, 2 ** 64, 1e21, 123456789012345680000)
const loneSurrogates = fc.string({ unit: fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)), maxLength: 8 })
const unicode = fc.oneof(fc.string({ unit: 'binary', maxLength: 64 }), fc.string({ unit: 'grapheme', maxLength: 64 }), loneSurrogates,
  fc.constantFrom('\u0000', '\u202e', '\ufeff', 'A\u0301', '𝔘𝔫𝔦', '"; DROP TABLE users; --', "' OR '1'='1", '../../etc/passwd', '%00', '$' + '{7*7}', '{{7*7}}', '<script>alert(1)</script>'))
const hugeString = fc.integer({ min: 1000, max: 100_000 }).chain((n) => fc.constantFrom('a', 'é', '𝔘', '\\', '"').map((c) => c.repeat(Math.floor(n / Buffer.byteLength(c)))))
const specialKey = fc.constantFrom('__proto__', 'constructor', 'prototype', 'hasOwnProperty', 'toString', '__defineGetter__', 'valueOf')

const leaf: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
  { weight: 2, arbitrary: edgeNumbers },
  { weight: 2, arbitrary: unicode },
  { weight: 1, arbitrary: hugeString },
  { weight: 1, arbitrary: fc.constantFrom(null, true, false, '', [], {}) }
)
/** JSON text: values, not only objects, so that it may be any JSON a client can send. */
const deepNest = fc.tuple(fc.integer({ min: 20, max: 5000 }), fc.constantFrom('object', 'array')).map(([n, kind]) =>
  kind === 'object' ? `${'{"a":'.repeat(n)}1${'}'.repeat(n)}` : `${'['.repeat(n)}1${']'.repeat(n)}`)
const protoBody = fc.tuple(specialKey, fc.jsonValue({ maxDepth: 2 }), fc.boolean()).map(([k, v, nested]) =>
  nested ? `{"a":{"${k}":${JSON.stringify(v)}}}` : `{"${k}":${JSON.stringify(v) ?? 'null'}}`)
const rawText = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.constantFrom('', '{', '{"a":', '[1,2,', '{"a":1,}', 'nul', 'NaN', 'Infinity', '1e999', '-1e999', '{"a":1e999}', '"\\ud800"', '{"a":"\\u0000"}', '\ufeff{}', '{}{}', '{"a":1,"a":2}')
)
const anyObject = fc.dictionary(fc.oneof(fc.string({ maxLength: 16 }), specialKey), leaf, { maxKeys: 6 })

function derivedBody (schema: JsonSchema | undefined): fc.Arbitrary<string> {
  return fc.tuple(fc.nat(), leaf, fc.constantFrom('valid', 'replace', 'replace', 'replace', 'delete', 'extra', 'proto', 'nested')).map(([i, v, kind]) => {
    const base = exampleOf(schema)
    if (!base || typeof base !== 'object' || Array.isArray(base)) return JSON.stringify(kind === 'valid' ? base : v) ?? 'null'
    const obj = base as Record<string, unknown>
    const keys = Object.keys(obj)
    const k = keys.length > 0 ? keys[i % keys.length]! : 'x'
    switch (kind) {
      case 'valid': return JSON.stringify(obj)
      case 'delete': delete obj[k]; return JSON.stringify(obj)
      case 'extra': obj[`extra${i % 7}`] = v; return JSON.stringify(obj)
      case 'proto': return JSON.stringify(obj).replace(/^\{/, `{"__proto__":${JSON.stringify(v) ?? 'null'}${keys.length > 0 ? ',' : ''}`)
      case 'nested': {
        const inner = obj[k]
        if (inner && typeof inner === 'object' && !Array.isArray(inner) && Object.keys(inner).length > 0) {
          const ik = Object.keys(inner)[i % Object.keys(inner).length]!
          ;(inner as Record<string, unknown>)[ik] = v
        } else obj[k] = v
        return JSON.stringify(obj)
      }
      default: obj[k] = v; return JSON.stringify(obj)
    }
  })
}

function bodyArb (op: Operation): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 4, arbitrary: derivedBody(op.body) },
    { weight: 2, arbitrary: anyObject.map((o) => JSON.stringify(o)) },
    { weight: 1, arbitrary: leaf.map((v) => JSON.stringify(v) ?? 'null') },
    { weight: 1, arbitrary: fc.array(leaf, { maxLength: 20 }).map((v) => JSON.stringify(v)) },
    { weight: 1, arbitrary: deepNest },
    { weight: 1, arbitrary: protoBody },
    { weight: 1, arbitrary: rawText }
  )
}

const queryValue = fc.oneof(
  fc.constantFrom('', '0', '-1', '1', '50', '200', '201', '1e309', 'NaN', '-0', '9999999999999999999999', 'true', 'null', '[]', '{}', '%', uuidv7(), 'not-a-uuid', 'a,b,c'),
  unicode, fc.string({ maxLength: 40 }), fc.integer({ min: 100, max: 8000 }).map((n) => 'q'.repeat(n))
)
function queryArb (op: Operation): fc.Arbitrary<Array<[string, string]>> {
  const names = [...op.query.map((q) => q.name), 'limit', 'cursor']
  return fc.array(fc.tuple(fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...names) }, { weight: 1, arbitrary: fc.oneof(fc.string({ maxLength: 12 }), specialKey) }), queryValue), { maxLength: 5 })
}

const paramValue = fc.oneof(fc.constantFrom('0', '-1', '1-1', '18446744073709551615-0', '99999999999999999999-1', 'not-a-uuid', '00000000-0000-0000-0000-000000000000', '..', '%00', '%2e%2e%2f', 'a'.repeat(100), 'a'.repeat(300), uuidv7().toUpperCase()), fc.string({ maxLength: 40 }))

// Known issues: input classes the fuzz leaves to a precise `it.fails` reproducer while a finding's fix is
// pending, so that it keeps finding others. None is pending: the six classes once listed here (path parameters
// over 100 characters, dead-letter ids beyond u64, integer parameters that coerce to ±Infinity or exceed 2^53 —
// in the query and, for the audit `seq`, in the path — NUL characters, lone surrogates) are fixed in the kit,
// guarded by the tests at the end of this file, and fuzzed again.
function knownIssue (_op: Operation, _input: Input): string | null {
  return null
}

interface Input { body: string | undefined, query: Array<[string, string]>, params: Record<string, string> | null }

function inputArb (op: Operation): fc.Arbitrary<Input> {
  const hasBody = ['POST', 'PUT', 'PATCH'].includes(op.method)
  const params = op.pathParams.length === 0
    ? fc.constant(null)
    : fc.option(fc.record(Object.fromEntries(op.pathParams.map((p) => [p.name, paramValue]))), { freq: 4 })
  return fc.record({ body: hasBody ? bodyArb(op) : fc.constant(undefined), query: queryArb(op), params }) as fc.Arbitrary<Input>
}

function urlOf (op: Operation, input: Input): string {
  let path = op.path
  for (const p of op.pathParams) path = path.replace(`{${p.name}}`, encodeURIComponent(input.params?.[p.name] ?? fillParam(p, op.path)))
  const qs = new URLSearchParams(input.query).toString()
  return qs ? `${path}?${qs}` : path
}

// ---------------------------------------------------------------------------------------------------------

async function fuzz (s: SecurityApp, op: Operation, withCredential: boolean, numRuns: number): Promise<void> {
  if (withCredential && op.internal) expect(await s.internalCaller(op), `${op.label}: no allowed caller found`).not.toBeNull()
  await fc.assert(fc.asyncProperty(inputArb(op), async (input) => {
    fc.pre(knownIssue(op, input) === null)
    const credential = withCredential ? await credentialFor(s, op, t, owner.id) : null
    const res = await send(s.app, {
      method: op.method,
      url: urlOf(op, input),
      headers: {
        ...(credential ? { authorization: `Bearer ${credential}` } : {}),
        ...(input.body !== undefined ? { 'content-type': 'application/json' } : {})
      },
      ...(input.body !== undefined ? { payload: input.body } : {})
    })
    const where = `${op.label} ${urlOf(op, input).slice(0, 200)} body=${(input.body ?? '').slice(0, 200)} → ${res.statusCode} ${res.body.slice(0, 300)}`
    // SPEC §11.1: readyz answers 503 {status: "not_ready", checks} by contract when a dependency or migration is missing
    if (op.route === `/api/${s.service}/readyz` && res.statusCode === 503) {
      expect((res.json() as { status?: string }).status, where).toBe('not_ready')
      return
    }
    expect(res.statusCode, where).toBeLessThan(500)
    if (res.statusCode >= 300) expect(errorShapeProblem(res, s.service), where).toBeNull()
  }), { numRuns, ...(SEED !== undefined ? { seed: SEED } : {}) })
}

describe.each(fleet.map((s) => [s.service, s] as const))('%s', (_name, s) => {
  it.each(s.operations.map((op) => [op.label, op] as const))('%s: never 5xx, errors well-formed', async (_label, op) => {
    await fuzz(s, op, true, FUZZ_RUNS)
    await fuzz(s, op, false, op.public ? FUZZ_RUNS : ANON_RUNS)
  })
})

// ---------------------------------------------------------------------------------------------------------
// Guards for findings this suite once pinned with `it.fails` (fixed in packages/service-kit: input-hygiene.ts
// refuses non-finite numbers, NUL characters and lone surrogates in a body, query or params; bus-runtime.ts
// bounds a dead-letter id to u64; create-service.ts answers Fastify's pre-routing errors through
// frameworkErrors; audit.ts gives AuditQuery's fromSeq a maximum). Each is a precise reproducer over every
// operation the documents list, and asserts the exact answer (not only "no 5xx"), so that a regression shows
// here by name as well as in the fuzz above, which exercises these input classes again.

const headersFor = async (s: SecurityApp, op: Operation): Promise<Record<string, string>> => {
  const credential = await credentialFor(s, op, t, owner.id)
  return credential ? { authorization: `Bearer ${credential}` } : {}
}
/** `res` answers `status` with `<S>_<kind>` and SPEC §0.2's error body; otherwise how it does not. */
function answerProblem (s: SecurityApp, res: Res, status: number, kind: string): string | null {
  if (res.statusCode !== status || codeOf(res) !== `${codePrefix(s.service)}_${kind}`) return `${res.statusCode} ${res.body.slice(0, 160)} (want ${status} ${codePrefix(s.service)}_${kind})`
  return errorShapeProblem(res, s.service)
}
const isNumeric = (p: Param) => p.schema?.type === 'integer' || p.schema?.type === 'number'
/** The audit row route's `seq` path parameter, guarded against non-finite and huge values below. */
const auditSeqFinding = (op: Operation, p: Param) => op.route === '/api/auth/audit/:service/:seq' && p.name === 'seq'
/**
 * `op`'s URL with `value` (already URL-encoded) for parameter `p`, in the path or as the only query parameter;
 * other path parameters plausible (a `service` parameter names the operation's own service, so that a route
 * like GET /api/auth/audit/:service/:seq reaches the parameter under test).
 */
const urlWith = (op: Operation, p: Param, value: string) => p.in === 'path'
  ? op.pathParams.reduce((u, q) => u.replace(`{${q.name}}`, q === p ? value : encodeURIComponent(q.name === 'service' ? op.service : fillParam(q, op.path))), op.path)
  : `${op.url}?${p.name}=${value}`

describe('input hygiene guards (findings fixed in packages/service-kit)', () => {
  // bus-runtime.ts once accepted `^\d{1,20}-\d{1,20}$` alone, so a number beyond a Redis stream id's 64 bits
  // reached XRANGE ("ERR Invalid stream ID") → 500. Such an id now names no dead letter: 404, as a missing one.
  it('POST /api/<svc>/admin/dead-letters/:id/replay with an id beyond u64 → 404 <S>_NOT_FOUND, as a missing one', async () => {
    const failures: string[] = []
    let sent = 0
    for (const s of fleet) {
      for (const op of s.operations.filter((o) => /dead-letters\/\{id\}/.test(o.path))) {
        for (const id of ['99999999999999999999-1', '18446744073709551616-0', '1-18446744073709551616', '1-99999999999999999999']) {
          const res = await send(s.app, { method: op.method, url: op.path.replace('{id}', id), headers: { authorization: `Bearer ${t.access({ role: 'owner', sub: owner.id })}` } })
          sent++
          const problem = answerProblem(s, res, 404, 'NOT_FOUND')
          if (problem) failures.push(`${op.label} id=${id} → ${problem}`)
        }
      }
    }
    expect(sent).toBeGreaterThan(0)
    expect(failures).toEqual([])
  })

  // Fastify's router refuses a path parameter longer than maxParamLength (100) before routing, so before the
  // kit's error handler and before authentication; it once answered 414 with Fastify's own body (code
  // FST_ERR_MAX_PARAM_LENGTH, the URL echoed). The kit's frameworkErrors now answers 400 with SPEC §0.2's body.
  it('a path parameter longer than 100 characters → 400 <S>_VALIDATION_FAILED with the SPEC §0.2 body, with or without a credential', async () => {
    const failures: string[] = []
    let sent = 0
    for (const s of fleet) {
      // a wildcard (`/api/gpu-coordinator/api/*`: every other Ollama path is a coded 404) has no length to bound
      for (const op of s.operations.filter((o) => o.pathParams.length > 0 && o.pathParams.every((p) => p.name !== '*'))) {
        for (const headers of [{}, await headersFor(s, op)]) {
          const url = op.pathParams.reduce((u, p) => u.replace(`{${p.name}}`, 'a'.repeat(101)), op.path)
          const res = await send(s.app, { method: op.method, url, headers })
          sent++
          const problem = answerProblem(s, res, 400, 'VALIDATION_FAILED')
          if (problem) failures.push(`${op.label} (${'authorization' in headers ? 'with' : 'without'} credential) → ${problem}`)
          else if (res.body.includes('a'.repeat(101))) failures.push(`${op.label}: the URL is echoed in the body`)
        }
      }
    }
    expect(sent).toBeGreaterThan(0)
    expect(failures).toEqual([])
  })

  // ajv 8.20 with the kit's coerceTypes turns the query strings "Infinity" and "1e309" into Infinity for an
  // `integer` schema and then let it past minimum/maximum, so Infinity reached SQL ("invalid input syntax for
  // type bigint") → 500 (seen on GET /api/auth/keys?limit=Infinity, GET /api/<svc>/admin/dead-letters?limit=
  // 1e309, GET /internal/<svc>/audit?fromSeq=1e309). input-hygiene.ts now refuses them before validation.
  it('numeric query and path parameters given Infinity, 1e309, NaN (either sign) → 400 <S>_VALIDATION_FAILED', async () => {
    const failures: string[] = []
    let sent = 0
    for (const s of fleet) {
      for (const op of s.operations) {
        const params = [...op.query, ...op.pathParams].filter((p) => isNumeric(p) && !auditSeqFinding(op, p))
        if (params.length === 0) continue
        const headers = await headersFor(s, op)
        for (const value of ['Infinity', '-Infinity', '%2BInfinity', '1e309', '-1e309', '1E400', 'NaN', '-NaN']) {
          for (const p of params) {
            const url = urlWith(op, p, value)
            const res = await send(s.app, { method: op.method, url, headers })
            sent++
            const problem = answerProblem(s, res, 400, 'VALIDATION_FAILED')
            if (problem) failures.push(`${op.method} ${url} → ${problem}`)
          }
        }
      }
    }
    expect(sent).toBeGreaterThan(0)
    expect(failures).toEqual([])
  })

  // A number beyond the schema's range is refused by the schema, never handed to SQL; AuditQuery's fromSeq,
  // which had no maximum (?fromSeq=1e22 overflowed bigint → 500), now has one (2^53 - 1).
  it('numeric query and path parameters beyond their schema range (maximum + 1, minimum - 1, fromSeq 1e22) → 400 <S>_VALIDATION_FAILED', async () => {
    const failures: string[] = []
    let sent = 0
    let fromSeq = 0
    for (const s of fleet) {
      for (const op of s.operations) {
        const params = [...op.query, ...op.pathParams].filter(isNumeric)
        if (params.length === 0) continue
        const headers = await headersFor(s, op)
        for (const p of params) {
          const values: string[] = []
          if (typeof p.schema?.maximum === 'number') values.push(String(p.schema.maximum + 1))
          if (typeof p.schema?.minimum === 'number') values.push(String(p.schema.minimum - 1))
          if (p.name === 'fromSeq') { fromSeq++; values.push('1e22', '10000000000000000000000') }
          for (const value of values) {
            const url = urlWith(op, p, value)
            const res = await send(s.app, { method: op.method, url, headers })
            sent++
            const problem = answerProblem(s, res, 400, 'VALIDATION_FAILED')
            if (problem) failures.push(`${op.method} ${url} → ${problem}`)
          }
        }
      }
    }
    expect(sent).toBeGreaterThan(0)
    expect(fromSeq, 'no operation documents a fromSeq parameter').toBeGreaterThan(0)
    expect(failures).toEqual([])
  })

  // A numeric parameter without a maximum (GET /api/auth/audit/:service/:seq) given an integer beyond 2^53 or
  // beyond a Postgres bigint: refused or not found, never a 500 (the class behind fromSeq's missing maximum).
  it('numeric query and path parameters without a maximum, given 1e22 or 2^64 → a 4xx with the SPEC §0.2 body, never a 5xx', async () => {
    const failures: string[] = []
    for (const s of fleet) {
      for (const op of s.operations) {
        const params = [...op.query, ...op.pathParams].filter((p) => isNumeric(p) && typeof p.schema?.maximum !== 'number' && !auditSeqFinding(op, p))
        if (params.length === 0) continue
        const headers = await headersFor(s, op)
        for (const value of ['1e22', '10000000000000000000000', '18446744073709551616', '9007199254740993']) {
          for (const p of params) {
            const url = urlWith(op, p, value)
            const res = await send(s.app, { method: op.method, url, headers })
            const problem = res.statusCode < 400 || res.statusCode >= 500 ? `${res.statusCode} ${res.body.slice(0, 160)}` : errorShapeProblem(res, s.service)
            if (problem) failures.push(`${op.method} ${url} → ${problem}`)
          }
        }
      }
    }
    expect(failures).toEqual([])
  })

  // JSON.parse reads 1e309 as Infinity, which JSON cannot even write back (it becomes null) and which no schema
  // number check refuses; input-hygiene.ts refuses a non-finite number anywhere in a body.
  it('a non-finite number (1e309, -1e309) in a body field → 400 <S>_VALIDATION_FAILED', async () => {
    const failures: string[] = []
    let sent = 0
    for (const s of fleet) {
      for (const op of s.operations.filter((o) => o.body !== undefined && ['POST', 'PUT', 'PATCH'].includes(o.method))) {
        const headers = { ...(await headersFor(s, op)), 'content-type': 'application/json' }
        for (const number of ['1e309', '-1e309']) {
          for (const body of fieldVariants(op, number)) {
            const res = await send(s.app, { method: op.method, url: op.url, headers, payload: body })
            sent++
            const problem = answerProblem(s, res, 400, 'VALIDATION_FAILED')
            if (problem) failures.push(`${op.label} ${body.slice(0, 160)} → ${problem}`)
          }
        }
      }
    }
    expect(sent).toBeGreaterThan(0)
    expect(failures).toEqual([])
  })

  // A NUL character in a string that reached Postgres → "invalid byte sequence for encoding UTF8: 0x00" → 500
  // (seen: GET /api/auth/audit?traceId=%00, GET /internal/<svc>/audit?action=%00). input-hygiene.ts refuses
  // U+0000 in every string of a body, query or params, keys included.
  it('a NUL character in a query string, a path parameter, or a body string → 400 <S>_VALIDATION_FAILED', async () => {
    const failures: string[] = []
    let sent = 0
    for (const s of fleet) {
      for (const op of s.operations) {
        const headers = await headersFor(s, op)
        for (const q of op.query.filter((p) => p.schema?.type === 'string' && !Array.isArray(p.schema.enum))) {
          const url = urlWith(op, q, 'a%00b')
          const res = await send(s.app, { method: op.method, url, headers })
          sent++
          const problem = answerProblem(s, res, 400, 'VALIDATION_FAILED')
          if (problem) failures.push(`${op.method} ${url} → ${problem}`)
        }
        for (const p of op.pathParams) {
          const url = urlWith(op, p, 'a%00b')
          const res = await send(s.app, { method: op.method, url, headers })
          sent++
          const problem = answerProblem(s, res, 400, 'VALIDATION_FAILED')
          if (problem) failures.push(`${op.method} ${url} → ${problem}`)
        }
        for (const body of [...stringFieldVariants(op, 'a\\u0000b'), ...(op.body !== undefined ? ['{"a\\u0000b":1}'] : [])]) {
          const res = await send(s.app, { method: op.method, url: op.url, headers: { ...headers, 'content-type': 'application/json' }, payload: body })
          sent++
          const problem = answerProblem(s, res, 400, 'VALIDATION_FAILED')
          if (problem) failures.push(`${op.label} ${body.slice(0, 160)} → ${problem}`)
        }
      }
    }
    expect(sent).toBeGreaterThan(0)
    expect(failures).toEqual([])
  })

  // A lone UTF-16 surrogate in a JSON string ("\ud800") is valid JSON and passed the schemas; stored into a
  // Postgres json/jsonb column (the outbox event, audit details) it was refused → 500 (seen: POST
  // /api/auth/killswitch {"active":true,"reason":"\ud800","pauseOutbound":true}). input-hygiene.ts refuses
  // ill-formed strings (String.prototype.isWellFormed) anywhere in a body, keys included. A URL cannot carry
  // one (percent-encoding is of UTF-8 bytes), so bodies are where it can arrive.
  it('a lone surrogate (high or low) in a body string or key → 400 <S>_VALIDATION_FAILED', async () => {
    const failures: string[] = []
    let sent = 0
    for (const s of fleet) {
      for (const op of s.operations) {
        const headers = { ...(await headersFor(s, op)), 'content-type': 'application/json' }
        for (const body of [...stringFieldVariants(op, '\\ud800'), ...stringFieldVariants(op, 'x\\udfffy'), ...(op.body !== undefined ? ['{"\\ud83d":1}'] : [])]) {
          const res = await send(s.app, { method: op.method, url: op.url, headers, payload: body })
          sent++
          const problem = answerProblem(s, res, 400, 'VALIDATION_FAILED')
          if (problem) failures.push(`${op.label} ${body.slice(0, 160)} → ${problem}`)
        }
      }
    }
    expect(sent).toBeGreaterThan(0)
    expect(failures).toEqual([])
  })

  // Control for the two above: a well-formed surrogate pair (an astral character) is not refused as ill-formed.
  it('a well-formed surrogate pair (𝔘) in a body string is not refused as ill-formed unicode', async () => {
    const failures: string[] = []
    for (const s of fleet) {
      for (const op of s.operations) {
        const headers = { ...(await headersFor(s, op)), 'content-type': 'application/json' }
        for (const body of stringFieldVariants(op, '\\ud835\\udd18')) {
          const res = await send(s.app, { method: op.method, url: op.url, headers, payload: body })
          if (res.statusCode >= 500 || res.body.includes('wellFormedUnicode')) failures.push(`${op.label} ${body.slice(0, 160)} → ${res.statusCode} ${res.body.slice(0, 160)}`)
        }
      }
    }
    expect(failures).toEqual([])
  })

  // Once a 500 (Postgres refused Infinity as a bigint): the kit now refuses non-finite path parameters and
  // AuditRowParams bounds `seq`.
  it('GET /api/auth/audit/:service/:seq with seq Infinity or 1e309 → 400 AUTH_VALIDATION_FAILED, and with 1e22 or 2^64 → a 4xx, never a 500', async () => {
    const failures: string[] = []
    let sent = 0
    for (const s of fleet) {
      for (const op of s.operations) {
        const p = op.pathParams.find((q) => auditSeqFinding(op, q))
        if (!p) continue
        const headers = await headersFor(s, op)
        for (const value of ['Infinity', '-Infinity', '1e309', '-1e309', '1e22', '10000000000000000000000', '18446744073709551616']) {
          const url = urlWith(op, p, value)
          const res = await send(s.app, { method: op.method, url, headers })
          sent++
          const problem = Number.isFinite(Number(value))
            ? (res.statusCode < 400 || res.statusCode >= 500 ? `${res.statusCode} ${res.body.slice(0, 160)}` : errorShapeProblem(res, s.service))
            : answerProblem(s, res, 400, 'VALIDATION_FAILED')
          if (problem) failures.push(`${op.method} ${url} → ${problem}`)
        }
      }
    }
    expect(sent).toBeGreaterThan(0)
    expect(failures).toEqual([])
  })
})

/** The route's schema-derived valid body, once per top-level field, with that field's value replaced by `raw` (JSON text). */
function fieldVariants (op: Operation, raw: string): string[] {
  const base = exampleOf(op.body)
  if (!base || typeof base !== 'object' || Array.isArray(base)) return [`{"a":${raw}}`]
  const mark = '__SECURITY_MARK__'
  const keys = Object.keys(base)
  if (keys.length === 0) return [`{"a":${raw}}`]
  return keys.map((k) => JSON.stringify({ ...base, [k]: mark }).replace(`"${mark}"`, raw))
}

/** The route's schema-derived valid body, once per string field (top level and one down), with `escaped` (JSON escape text) in it. */
function stringFieldVariants (op: Operation, escaped: string): string[] {
  if (!['POST', 'PUT', 'PATCH'].includes(op.method) || !op.body) return []
  const base = exampleOf(op.body)
  if (!base || typeof base !== 'object' || Array.isArray(base)) return []
  const out: string[] = []
  const mark = '__SECURITY_MARK__'
  const required = new Set(op.body.required ?? [])
  const visit = (obj: Record<string, unknown>, depth: number) => {
    for (const [k, v] of Object.entries(obj)) {
      if (typeof v === 'string') {
        obj[k] = mark
        out.push(JSON.stringify(base).replace(`"${mark}"`, `"${escaped}"`))
        // and with only the required fields besides it, so optional ones that fail other checks stay out of the way
        if (depth === 0) out.push(JSON.stringify(Object.fromEntries(Object.entries(obj).filter(([f]) => f === k || required.has(f)))).replace(`"${mark}"`, `"${escaped}"`))
        obj[k] = v
      } else if (v && typeof v === 'object' && !Array.isArray(v) && depth < 1) visit(v as Record<string, unknown>, depth + 1)
    }
  }
  visit(base as Record<string, unknown>, 0)
  return out
}
