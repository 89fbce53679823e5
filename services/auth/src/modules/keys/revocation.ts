// "Revoked everywhere within 1 s" (SPEC §2.3): every service checks the Redis set `<prefix>auth:revoked-keys`
// on each request and evicts its verification cache on the hint `<prefix>hint:apikey-revoked`.
import type { BusRedis } from '@robbie/bus'

export type RevocationRedis = Pick<BusRedis, 'client' | 'prefix'>

export const revokedSetKey = (prefix: string) => `${prefix}auth:revoked-keys`
export const revokedHintChannel = (prefix: string) => `${prefix}hint:apikey-revoked`

/**
 * Adds the ids to the revoked set. Called BEFORE the database change commits: when Redis is down the
 * revocation fails closed (503) with nothing changed, and an id in the set whose commit then failed is only
 * refused early, which is what its owner asked for anyway.
 */
export async function markRevoked (redis: RevocationRedis, keyIds: string[]): Promise<void> {
  if (keyIds.length > 0) await redis.client.sadd(revokedSetKey(redis.prefix), ...keyIds)
}

/**
 * After the commit: the hint that makes every instance drop its cached answer now (lossy by design). The
 * message is the key id as a JSON string, like every `bus.hints` message (the kit's subscriber JSON-parses it).
 */
export async function announceRevoked (redis: RevocationRedis, keyIds: string[]): Promise<void> {
  for (const id of keyIds) await redis.client.publish(revokedHintChannel(redis.prefix), JSON.stringify(id)).catch(() => 0)
}
