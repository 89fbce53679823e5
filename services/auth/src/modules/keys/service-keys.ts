// The bootstrap's half of service identities (SPEC §11.6): one HMAC row per service key on disk. Imported by
// scripts/bootstrap.ts, so it stays free of Fastify and of the app.
import { parseApiKey } from '@robbie/contracts'
import type { Queryable } from '@robbie/db'
import { keyHmac } from './keys.config.js'

export interface ServiceKeyFile { service: string, id: string, key: string }

/**
 * Inserts each service key's row when missing (`type 'svc'`, `service_name`, no expiry), and revokes any other
 * live key of that service: a key file that was deleted and made again must not leave its predecessor valid.
 * Idempotent. → the ids inserted and revoked by this call.
 */
export async function insertServiceKeyHmacs (client: Queryable, pepper: Buffer, serviceKeys: ServiceKeyFile[]): Promise<{ inserted: string[], revoked: string[] }> {
  const inserted: string[] = []
  const revoked: string[] = []
  for (const { service, id, key } of serviceKeys) {
    const parsed = parseApiKey(key)
    if (parsed?.type !== 'svc' || parsed.id !== id) throw new Error(`the key of ${service} is not a valid service key`)
    const ins = await client.query(
      `INSERT INTO api_keys (id, type, service_name, name, scopes, key_hmac)
       VALUES ($1, 'svc', $2, $3, '{}', $4) ON CONFLICT (id) DO NOTHING`, [id, service, `service:${service}`, keyHmac(pepper, key)])
    if (ins.rowCount === 1) inserted.push(id)
    const old = await client.query<{ id: string }>(
      `UPDATE api_keys SET revoked_at = now()
       WHERE type = 'svc' AND service_name = $1 AND id <> $2 AND revoked_at IS NULL RETURNING id`, [service, id])
    revoked.push(...old.rows.map((r) => r.id))
  }
  return { inserted, revoked }
}
