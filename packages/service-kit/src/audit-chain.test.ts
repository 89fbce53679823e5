import { describe, expect, it } from 'vitest'
import { auditHash, GENESIS_HASH, verifyChain, type AuditEvent } from './audit-chain.js'
import { canonicalJson } from './canonical-json.js'

const nulls = { onBehalfOf: null, requestId: null, traceId: null, ip: null } as const
const row1 = { action: 'secrets.reveal', actorId: 'u-owner', actorType: 'user', at: '2025-01-06T09:00:00.000Z', details: {}, outcome: 'success', resourceId: 'smtp/password', resourceType: 'secret', seq: 1, service: 'secrets', ...nulls } as const
const row2 = { ...row1, action: 'secrets.update', at: '2025-01-06T09:00:05.000Z', details: { version: 2 }, seq: 2 } as const

describe('audit chain (SPEC §2.4 test vector)', () => {
  it('hashes the genesis row and its successor as the spec says', () => {
    const hash1 = auditHash(GENESIS_HASH, row1)
    expect(hash1).toBe('3f3fa00897454380164baa3155706f0f6da1be3565d6467011cd6bc5b4577b80')
    expect(auditHash(hash1, row2)).toBe('61b4ca767424b629e7a70cfe7a1d5fdcff6094e8d6d122fbad28ad00bcaa6f73')
  })

  it('finds a changed, a missing and a reordered row', () => {
    const h1 = auditHash(GENESIS_HASH, row1)
    const rows: AuditEvent[] = [
      { ...row1, id: 'a', prevHash: GENESIS_HASH, hash: h1 },
      { ...row2, id: 'b', prevHash: h1, hash: auditHash(h1, row2) }
    ]
    expect(verifyChain(rows)).toMatchObject({ ok: true, checked: 2, headSeq: 2 })
    expect(verifyChain([{ ...rows[0]!, outcome: 'denied' }, rows[1]!])).toMatchObject({ ok: false, firstBadSeq: 1, reason: 'hash_mismatch' })
    expect(verifyChain([rows[1]!])).toMatchObject({ ok: false, firstBadSeq: 1, reason: 'gap' })
    expect(verifyChain([rows[1]!, rows[0]!])).toMatchObject({ ok: false, reason: 'gap' })
  })

  it('canonicalises like RFC 8785', () => {
    expect(canonicalJson({ b: [1, 'x', { d: true, c: null }], a: 1.5, é: 'ü' })).toBe('{"a":1.5,"b":[1,"x",{"c":null,"d":true}],"é":"ü"}')
  })
})
