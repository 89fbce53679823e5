// SPEC §2.3: personal keys that expire within 14 days emit auth.apikey.expiring.v1, once per key, which
// becomes a task for the key's user. Runs hourly as a kit job (one replica at a time).
import { withTransaction, type Pool } from '@robbie/db'
import type { Outbox } from '@robbie/bus'
import { apiKeyExpiring } from './keys.events.js'

export const EXPIRY_NOTICE_DAYS = 14

export async function announceExpiringKeys (deps: { pool: Pool, outbox: Pick<Outbox, 'add'> }, batch = 200): Promise<number> {
  return await withTransaction(deps.pool, async (client) => {
    // SKIP LOCKED: a run that overlaps another (a slow replica) never announces a key twice
    const { rows } = await client.query<{ id: string, user_id: string, name: string, expires_at: Date }>(
      `SELECT id, user_id, name, expires_at FROM api_keys
        WHERE type = 'pat' AND revoked_at IS NULL AND expiring_notified_at IS NULL
          AND expires_at > now() AND expires_at <= now() + make_interval(days => $1)
        ORDER BY expires_at LIMIT $2 FOR UPDATE SKIP LOCKED`, [EXPIRY_NOTICE_DAYS, batch])
    for (const row of rows) {
      await deps.outbox.add(client, apiKeyExpiring({ keyId: row.id, userId: row.user_id, name: row.name, expiresAt: row.expires_at.toISOString() }))
    }
    if (rows.length > 0) await client.query('UPDATE api_keys SET expiring_notified_at = now() WHERE id = ANY($1)', [rows.map((r) => r.id)])
    return rows.length
  })
}
