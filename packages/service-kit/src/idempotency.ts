// SPEC §0.3. A creating POST (route config `idempotent: true`) accepts `Idempotency-Key`. The first request
// claims (identity, key) with a 'running' row; its reply is stored when it succeeds; the same key again gets
// that reply byte for byte, a different body 422, and a retry while the first still runs 409.
// The claim is a single INSERT … ON CONFLICT, so fifty concurrent copies produce one effect.
import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import type { Pool } from '@robbie/db'
import { genericError } from './errors.js'

const TTL = '24 hours'
/** a 'running' claim older than this is a crashed request: the key may be used again */
const STALE_RUNNING = '10 minutes'

declare module 'fastify' {
  interface FastifyRequest { idempotency?: { key: string, identityId: string, sealed: boolean } }
}

/**
 * A reply that carries something shown once (a new API key) is stored sealed: AES-256-GCM under a key derived
 * from the server's secret and the client's own Idempotency-Key, so the database (or a backup) alone never
 * yields it. Only the client that holds the Idempotency-Key gets it back on a retry.
 */
function sealer (secret: Buffer | undefined, identityId: string, key: string) {
  if (!secret) throw new Error('a sealed idempotent route needs ROBBIE_AUDIT_HMAC_KEY_FILE')
  const k = createHmac('sha256', secret).update(`idempotency-seal\0${identityId}\0${key}`).digest()
  return {
    seal (plain: Buffer): Buffer {
      const iv = randomBytes(12)
      const cipher = createCipheriv('aes-256-gcm', k, iv)
      const body = Buffer.concat([cipher.update(plain), cipher.final()])
      return Buffer.concat([iv, cipher.getAuthTag(), body])
    },
    open (sealed: Buffer): Buffer {
      const decipher = createDecipheriv('aes-256-gcm', k, sealed.subarray(0, 12))
      decipher.setAuthTag(sealed.subarray(12, 28))
      return Buffer.concat([decipher.update(sealed.subarray(28)), decipher.final()])
    }
  }
}

export function installIdempotency (app: FastifyInstance, service: string, pool: Pool, secret?: Buffer): void {
  app.addHook('onRoute', (route) => {
    if (route.config?.idempotent === 'sealed' && !secret) throw new Error(`route ${route.url} stores sealed replies but no ROBBIE_AUDIT_HMAC_KEY_FILE is configured`)
  })
  app.addHook('preHandler', async (request, reply) => {
    if (!request.routeOptions.config.idempotent) return
    const key = request.headers['idempotency-key']
    if (key === undefined) return
    if (typeof key !== 'string' || key.length < 1 || key.length > 255) {
      throw genericError(service, 'VALIDATION_FAILED', 'Idempotency-Key must be 1–255 characters', { details: [{ path: 'headers/idempotency-key', rule: 'maxLength' }] })
    }
    const identityId = request.identity?.id ?? `ip:${request.ip}`
    const hash = createHash('sha256').update(`${request.method} ${request.url}\n${JSON.stringify(request.body ?? null)}`).digest('hex')
    const claim = await pool.query(
      `INSERT INTO idempotency_keys AS k (identity_id, key, request_hash, state) VALUES ($1, $2, $3, 'running')
       ON CONFLICT (identity_id, key) DO UPDATE SET request_hash = EXCLUDED.request_hash, state = 'running',
         status_code = NULL, content_type = NULL, response = NULL, created_at = now()
       WHERE k.created_at < now() - interval '${TTL}' OR (k.state = 'running' AND k.created_at < now() - interval '${STALE_RUNNING}')
       RETURNING 1`, [identityId, key, hash])
    const sealed = request.routeOptions.config.idempotent === 'sealed'
    if (claim.rowCount === 1) {
      request.idempotency = { key, identityId, sealed }
      return
    }
    const { rows } = await pool.query<{ request_hash: string, state: string, status_code: number, content_type: string | null, response: Buffer | null }>(
      'SELECT request_hash, state, status_code, content_type, response FROM idempotency_keys WHERE identity_id = $1 AND key = $2', [identityId, key])
    const prior = rows[0]
    if (!prior) throw genericError(service, 'IDEMPOTENCY_IN_PROGRESS', 'A request with this Idempotency-Key is being processed')
    if (prior.request_hash !== hash) throw genericError(service, 'IDEMPOTENCY_MISMATCH', 'This Idempotency-Key was used with a different request')
    if (prior.state !== 'done') throw genericError(service, 'IDEMPOTENCY_IN_PROGRESS', 'A request with this Idempotency-Key is being processed')
    reply.header('idempotent-replayed', 'true')
    if (prior.content_type) reply.header('content-type', prior.content_type)
    // the stored bytes go out as they are: no serializer runs on a Buffer
    const stored = prior.response ?? Buffer.alloc(0)
    return reply.code(prior.status_code).send(sealed && stored.length > 0 ? sealer(secret, identityId, key).open(stored) : stored)
  })

  app.addHook('onSend', async (request, reply, payload) => {
    const claim = request.idempotency
    if (!claim) return payload
    request.idempotency = undefined
    if (reply.statusCode >= 500) {
      // nothing durable was promised: free the key so the client's retry runs again
      await pool.query('DELETE FROM idempotency_keys WHERE identity_id = $1 AND key = $2', [claim.identityId, claim.key])
      return payload
    }
    const plain = typeof payload === 'string' ? Buffer.from(payload) : Buffer.isBuffer(payload) ? payload : Buffer.alloc(0)
    const body = claim.sealed ? sealer(secret, claim.identityId, claim.key).seal(plain) : plain
    await pool.query(
      `UPDATE idempotency_keys SET state = 'done', status_code = $3, content_type = $4, response = $5
       WHERE identity_id = $1 AND key = $2`,
      [claim.identityId, claim.key, reply.statusCode, String(reply.getHeader('content-type') ?? ''), body])
    return payload
  })
}

/** Deletes expired rows; the kit runs it hourly. */
export async function purgeIdempotencyKeys (pool: Pool): Promise<number> {
  const result = await pool.query(`DELETE FROM idempotency_keys WHERE created_at < now() - interval '${TTL}'`)
  return result.rowCount ?? 0
}
