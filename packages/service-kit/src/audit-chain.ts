// The hash chain of SPEC §2.4, pure: hash = hex(SHA-256(prev_hash ‖ "\n" ‖ canonical_json(row))), over the
// row in its API form without id, hash and prevHash, null fields omitted. `seq` fixes the order.
import { createHash } from 'node:crypto'
import { canonicalJson } from './canonical-json.js'

export const GENESIS_HASH = '0'.repeat(64)

export interface AuditEvent {
  seq: number
  id: string
  at: string
  service: string
  actorType: 'user' | 'service' | 'system' | 'anonymous'
  actorId: string | null
  onBehalfOf: string | null
  action: string
  resourceType: string | null
  resourceId: string | null
  outcome: 'success' | 'denied' | 'failed'
  requestId: string | null
  traceId: string | null
  ip: string | null
  details: Record<string, unknown>
  prevHash: string
  hash: string
}

export function auditHash (prevHash: string, row: Omit<AuditEvent, 'id' | 'hash' | 'prevHash'>): string {
  const hashed = Object.fromEntries(Object.entries(row).filter(([, v]) => v !== null && v !== undefined))
  return createHash('sha256').update(`${prevHash}\n${canonicalJson(hashed)}`).digest('hex')
}

export interface ChainCheck {
  ok: boolean
  checked: number
  headSeq: number
  headHash: string
  firstBadSeq?: number
  reason?: 'hash_mismatch' | 'gap' | 'truncated'
}

/**
 * Recomputes a run of rows in seq order. `from` is where the run should start (seq and the hash before it):
 * a changed row breaks its own hash, a deleted or inserted one breaks the seq run or the next row's prevHash.
 */
export function verifyChain (rows: AuditEvent[], from: { seq: number, prevHash: string } = { seq: 1, prevHash: GENESIS_HASH }): ChainCheck {
  let expectedSeq = from.seq
  let prev = from.prevHash
  let checked = 0
  for (const row of rows) {
    if (row.seq !== expectedSeq) return { ok: false, checked, headSeq: expectedSeq - 1, headHash: prev, firstBadSeq: expectedSeq, reason: 'gap' }
    const { id: _id, hash, prevHash, ...rest } = row
    if (prevHash !== prev || auditHash(prev, rest) !== hash) {
      return { ok: false, checked, headSeq: expectedSeq - 1, headHash: prev, firstBadSeq: row.seq, reason: 'hash_mismatch' }
    }
    prev = hash
    expectedSeq++
    checked++
  }
  return { ok: true, checked, headSeq: expectedSeq - 1, headHash: prev }
}
