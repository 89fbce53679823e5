// For the users module's disable flow (SPEC §2.2: "disabling a user revokes their … API keys within 1 s").
import { createOutbox } from '@robbie/bus'
import type { Pool, PoolClient } from '@robbie/db'
import { createKeysRepository } from './keys.repository.js'
import { apiKeyRevoked } from './keys.events.js'
import { announceRevoked, markRevoked, type RevocationRedis } from './revocation.js'

const outbox = createOutbox({ producer: 'auth' })

/**
 * Revokes every live key of `userId` inside the caller's transaction (with one `auth.apikey.revoked.v1` each).
 * Redis is not touched here (never inside a transaction): after COMMIT, call `publish(app.redis)`, which adds
 * the ids to the revoked set and sends the cache-eviction hint. Until then the keys are already refused by
 * auth itself (their user is disabled and they are revoked in the database).
 */
export async function revokeUserKeys (client: PoolClient, userId: string, actor: { type: 'user' | 'service' | 'system', id: string } = { type: 'system', id: 'auth' }) {
  const keyIds = await createKeysRepository(client).revokeAllOfUser(userId, client)
  for (const id of keyIds) await outbox.add(client, apiKeyRevoked(id, actor))
  return {
    keyIds,
    publish: async (redis: RevocationRedis): Promise<void> => {
      await markRevoked(redis, keyIds)
      await announceRevoked(redis, keyIds)
    }
  }
}

/**
 * `revokeUserKeys` for a caller that cannot run code after its COMMIT (the users service's `revokeUserKeys`
 * dependency): the Redis side runs once the transaction's client goes back to the pool, and only for ids
 * whose revocation is then visible, so a rolled-back disable never marks a live key revoked.
 */
export function createUserKeysRevoker (deps: { pool: Pool, redis: RevocationRedis, log?: { warn: (o: object, m: string) => void } }) {
  return async (client: PoolClient, userId: string): Promise<{ keyIds: string[] }> => {
    const result = await revokeUserKeys(client, userId)
    if (result.keyIds.length === 0) return { keyIds: [] }
    const onRelease = (_err: Error | undefined, released: PoolClient) => {
      if (released !== client) return
      deps.pool.off('release', onRelease)
      void (async () => {
        const { rows } = await deps.pool.query<{ id: string }>('SELECT id FROM api_keys WHERE id = ANY($1::text[]) AND revoked_at IS NOT NULL', [result.keyIds])
        const committed = rows.map((r) => r.id)
        await markRevoked(deps.redis, committed)
        await announceRevoked(deps.redis, committed)
      })().catch((err: unknown) => deps.log?.warn({ err }, 'revoked keys not announced'))
    }
    deps.pool.on('release', onRelease)
    return { keyIds: result.keyIds }
  }
}
