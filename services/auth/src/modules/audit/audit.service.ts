// The audit viewer over every chain of the fleet (SPEC §2.4): a merged, newest-first list; one row; chain
// verification against the last signed checkpoint; the checkpoints themselves.
import type { KeyObject } from 'node:crypto'
import type { Identity } from '@robbie/contracts'
import type { Queryable } from '@robbie/db'
import { genericError, verifyChain, type AuditEvent } from '@robbie/service-kit'
import type { AuditFilters, ChainReader } from './chains.js'
import { checkpointSignatureOk, createCheckpointsRepository } from './checkpoints.js'

export interface VerifyResult {
  service: string,
  ok: boolean,
  checked: number,
  headSeq: number,
  headHash: string,
  checkpointOk: boolean
  firstBadSeq?: number,
  reason?: 'hash_mismatch' | 'gap' | 'truncated'
}

const badCursor = () => genericError('auth', 'VALIDATION_FAILED', 'Invalid cursor', { details: [{ path: 'querystring/cursor', rule: 'cursor' }] })
const seeAll = (who: Identity) => who.kind === 'user' && (who.role === 'owner' || who.role === 'admin') && !who.actor

/** The merged cursor: per service, the seq of the last row handed out (the kit's cursors are seqs), or 0 when done. */
function decodeCursor (cursor: string | undefined): Record<string, number> | null {
  if (!cursor) return null
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown
    if (value && typeof value === 'object' && !Array.isArray(value) && Object.values(value).every((v) => Number.isSafeInteger(v) && (v as number) >= 0)) {
      return value as Record<string, number>
    }
  } catch { /* fall through */ }
  throw badCursor()
}
const encodeCursor = (state: Record<string, number>) => Buffer.from(JSON.stringify(state)).toString('base64url')

const newestFirst = (a: AuditEvent, b: AuditEvent) => (a.at === b.at ? (a.service === b.service ? b.seq - a.seq : a.service < b.service ? -1 : 1) : a.at < b.at ? 1 : -1)

export function createAuditService (deps: { pool: Queryable, chains: Map<string, ChainReader>, publicKey: KeyObject }) {
  const checkpoints = createCheckpointsRepository(deps.pool)
  const chainOf = (service: string) => {
    const read = deps.chains.get(service)
    if (!read) throw genericError('auth', 'NOT_FOUND', 'No such service in this fleet')
    return read
  }

  return {
    async list (who: Identity, q: AuditFilters & { service?: string, limit: number, cursor?: string }) {
      const filters: AuditFilters = { ...q }
      delete (filters as { service?: string }).service
      delete (filters as { limit?: number }).limit
      delete (filters as { cursor?: string }).cursor
      if (!seeAll(who)) {
        // members see their own actions only (SPEC §1.1)
        if (q.actorId !== undefined && q.actorId !== who.id) throw genericError('auth', 'FORBIDDEN', 'Members see their own audit rows only')
        filters.actorId = who.id
      }
      const services = q.service ? [q.service] : [...deps.chains.keys()]
      if (q.service) chainOf(q.service)
      const state = decodeCursor(q.cursor) ?? Object.fromEntries(services.map((s) => [s, -1]))
      const pages = await Promise.all(services.filter((s) => state[s] !== undefined && state[s] !== 0).map(async (service) => {
        const after = state[service]!
        const page = await chainOf(service)({ ...filters, limit: q.limit, ...(after > 0 ? { cursor: String(after) } : {}) })
        return { service, page }
      }))
      const merged = pages.flatMap((p) => p.page.items).sort(newestFirst).slice(0, q.limit)
      const next: Record<string, number> = {}
      for (const { service, page } of pages) {
        const taken = merged.filter((e) => e.service === service)
        const exhausted = taken.length === page.items.length && page.nextCursor === null
        if (!exhausted) next[service] = taken.length > 0 ? taken[taken.length - 1]!.seq : state[service]!
      }
      return { items: merged, nextCursor: Object.keys(next).length > 0 ? encodeCursor(next) : null }
    },

    async get (who: Identity, service: string, seq: number): Promise<AuditEvent> {
      const row = (await chainOf(service)({ fromSeq: seq, limit: 1 })).items[0]
      if (!row || row.seq !== seq || (!seeAll(who) && row.actorId !== who.id)) throw genericError('auth', 'NOT_FOUND', 'No such audit row')
      return row
    },

    async verify (opts: { service?: string, fromSeq?: number }): Promise<VerifyResult[]> {
      const services = opts.service ? [opts.service] : [...deps.chains.keys()]
      const results: VerifyResult[] = []
      for (const service of services) results.push(await verifyOne(service, opts.fromSeq ?? 1))
      return results
    },

    async checkpoints (q: { limit: number, cursor?: string }) {
      let after: { signedAt: string, service: string, seq: number } | null = null
      if (q.cursor) {
        try {
          const [signedAt, service, seq] = JSON.parse(Buffer.from(q.cursor, 'base64url').toString('utf8')) as [string, string, number]
          if (typeof signedAt !== 'string' || Number.isNaN(Date.parse(signedAt)) || typeof service !== 'string' || !Number.isSafeInteger(seq)) throw badCursor()
          after = { signedAt, service, seq }
        } catch { throw badCursor() }
      }
      const rows = await checkpoints.page(q.limit + 1, after)
      const items = rows.slice(0, q.limit)
      const last = items[items.length - 1]
      return { items, nextCursor: rows.length > q.limit && last ? Buffer.from(JSON.stringify([last.signedAt, last.service, last.seq])).toString('base64url') : null }
    }
  }

  /** Recomputes one chain page by page from `fromSeq`, then holds its head against the last signed checkpoint. */
  async function verifyOne (service: string, fromSeq: number): Promise<VerifyResult> {
    const read = chainOf(service)
    const checkpoint = await checkpoints.latest(service)
    let from = { seq: 1, prevHash: '0'.repeat(64) }
    if (fromSeq > 1) {
      const before = (await read({ fromSeq: fromSeq - 1, limit: 1 })).items[0]
      if (!before || before.seq !== fromSeq - 1) {
        return { service, ok: false, checked: 0, headSeq: fromSeq - 1, headHash: '', checkpointOk: false, firstBadSeq: fromSeq - 1, reason: 'gap' }
      }
      from = { seq: fromSeq, prevHash: before.hash }
    }
    let checked = 0
    let head = { seq: from.seq - 1, hash: from.prevHash }
    let hashAtCheckpoint: string | undefined
    let cursor: string | undefined
    for (;;) {
      const page = await read({ fromSeq, limit: 1000, ...(cursor ? { cursor } : {}) })
      const check = verifyChain(page.items, { seq: head.seq + 1, prevHash: head.hash })
      checked += check.checked
      for (const row of page.items.slice(0, check.checked)) if (checkpoint && row.seq === checkpoint.seq) hashAtCheckpoint = row.hash
      if (!check.ok) {
        return { service, ok: false, checked, headSeq: check.headSeq, headHash: check.headHash, checkpointOk: false, firstBadSeq: check.firstBadSeq!, reason: check.reason! }
      }
      head = { seq: check.headSeq, hash: check.headHash }
      if (!page.nextCursor) break
      cursor = page.nextCursor
    }
    const result: VerifyResult = { service, ok: true, checked, headSeq: head.seq, headHash: head.hash, checkpointOk: true }
    if (!checkpoint) return result
    if (checkpoint.seq < fromSeq) {
      // the checkpoint lies before the verified range: look its row up on its own
      hashAtCheckpoint = (await read({ fromSeq: checkpoint.seq, limit: 1 })).items.find((r) => r.seq === checkpoint.seq)?.hash
    }
    const signatureOk = checkpointSignatureOk(deps.publicKey, checkpoint)
    if (head.seq < checkpoint.seq) {
      return { ...result, ok: false, checkpointOk: false, firstBadSeq: head.seq + 1, reason: 'truncated' }
    }
    if (!signatureOk || hashAtCheckpoint !== checkpoint.hash) {
      // the chain is consistent in itself but not with what was signed: rewritten from some row up to the checkpoint
      return { ...result, ok: false, checkpointOk: false, firstBadSeq: checkpoint.seq, reason: 'hash_mismatch' }
    }
    return result
  }
}
export type AuditService = ReturnType<typeof createAuditService>
