// Signed checkpoints of every chain's head (SPEC §2.4): hourly, auth takes each service's (service, seq, hash),
// signs it with its Ed25519 checkpoint key and stores it, so a chain cut short before a checkpoint is caught.
import { createPrivateKey, createPublicKey, sign, verify, type JsonWebKey, type KeyObject } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { withTransaction, type Pool, type Queryable } from '@robbie/db'
import { canonicalJson } from '@robbie/service-kit'
import type { ChainReader } from './chains.js'

export interface Checkpoint { service: string, seq: number, hash: string, signedAt: string, signature: string }

export function loadCheckpointKey (file: string): { privateKey: KeyObject, publicKey: KeyObject } {
  const json = JSON.parse(readFileSync(file, 'utf8')) as { privateJwk: JsonWebKey, publicJwk: JsonWebKey }
  // only the key members: the file's kid/alg/use are for the JWKS, not for node:crypto
  const jwk = (k: JsonWebKey): JsonWebKey => ({ kty: k.kty, crv: k.crv, x: k.x, ...(k.d ? { d: k.d } : {}) })
  return {
    privateKey: createPrivateKey({ key: jwk(json.privateJwk), format: 'jwk' }),
    publicKey: createPublicKey({ key: jwk(json.publicJwk), format: 'jwk' })
  }
}

const message = (c: Omit<Checkpoint, 'signature'>) => Buffer.from(canonicalJson({ hash: c.hash, seq: c.seq, service: c.service, signedAt: c.signedAt }))
export const signCheckpoint = (key: KeyObject, c: Omit<Checkpoint, 'signature'>): string => sign(null, message(c), key).toString('base64url')
export function checkpointSignatureOk (key: KeyObject, c: Checkpoint): boolean {
  try { return verify(null, message(c), key, Buffer.from(c.signature, 'base64url')) } catch { return false }
}

type Row = { service: string, seq: string, hash: string, signed_at: Date, signature: string }
const toCheckpoint = (r: Row): Checkpoint => ({ service: r.service, seq: Number(r.seq), hash: r.hash, signedAt: r.signed_at.toISOString(), signature: r.signature })

export function createCheckpointsRepository (pool: Queryable) {
  return {
    async latest (service: string): Promise<Checkpoint | null> {
      const { rows } = await pool.query<Row>('SELECT service, seq, hash, signed_at, signature FROM audit_checkpoints WHERE service = $1 ORDER BY seq DESC LIMIT 1', [service])
      return rows[0] ? toCheckpoint(rows[0]) : null
    },
    async page (limit: number, after: { signedAt: string, service: string, seq: number } | null): Promise<Checkpoint[]> {
      const { rows } = await pool.query<Row>(
        `SELECT service, seq, hash, signed_at, signature FROM audit_checkpoints
         WHERE $2::timestamptz IS NULL OR (signed_at, service, seq) < ($2::timestamptz, $3::text, $4::bigint)
         ORDER BY signed_at DESC, service DESC, seq DESC LIMIT $1`, [limit, after?.signedAt ?? null, after?.service ?? null, after?.seq ?? null])
      return rows.map(toCheckpoint)
    }
  }
}

/**
 * One checkpoint run: reads the heads (HTTP, outside any transaction), then stores them under the job's
 * advisory lock, so only one replica writes a run. → the checkpoints stored, or null when another replica held the lock.
 */
export async function takeCheckpoints (opts: { pool: Pool, chains: Map<string, ChainReader>, privateKey: KeyObject, log?: { warn: (o: object, m: string) => void } }): Promise<Checkpoint[] | null> {
  const heads: Array<Omit<Checkpoint, 'signature'>> = []
  for (const [service, read] of opts.chains) {
    try {
      const head = (await read({ limit: 1 })).items[0]
      if (head) heads.push({ service, seq: head.seq, hash: head.hash, signedAt: new Date().toISOString() })
    } catch (err) {
      opts.log?.warn({ err, service }, 'audit checkpoint: chain head not readable')
    }
  }
  const signed = heads.map((h) => ({ ...h, signature: signCheckpoint(opts.privateKey, h) }))
  return await withTransaction(opts.pool, async (client) => {
    const { rows } = await client.query<{ locked: boolean }>("SELECT pg_try_advisory_xact_lock(hashtext('job:audit-checkpoint')) AS locked")
    if (!rows[0]?.locked) return null
    const stored: Checkpoint[] = []
    for (const c of signed) {
      const res = await client.query('INSERT INTO audit_checkpoints (service, seq, hash, signed_at, signature) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING',
        [c.service, c.seq, c.hash, c.signedAt, c.signature])
      if (res.rowCount === 1) stored.push(c)
    }
    return stored
  })
}
