// One stream entry through the inbox: dedupe row and effect in ONE transaction, then the ack.
import type { EventEnvelope } from '@robbie/contracts'
import { withTransaction, type Pool, type PoolClient } from '@robbie/db'
import type { BusRedis } from './redis.js'

export type Handler = (event: EventEnvelope, client: PoolClient) => Promise<void>
export type Outcome = 'handled' | 'duplicate' | 'skipped' | 'failed'

export interface EntryContext {
  pool: Pool
  redis: BusRedis
  group: string
  types?: ReadonlySet<string>
  handler: Handler
}

/**
 * Returns the outcome; throws when the handler (or the transaction) fails, leaving the entry pending so the reclaim
 * retries it. Crash windows: before COMMIT → nothing happened, the entry is redelivered; after COMMIT but before
 * XACK → the redelivery finds the consumed_events row and only acks.
 */
export async function consumeEntry (
  ctx: EntryContext, stream: string, entryId: string, fields: Record<string, string>
): Promise<{ type: string, outcome: Exclude<Outcome, 'failed'> }> {
  const type = fields.type ?? 'unknown'
  let outcome: 'handled' | 'duplicate' | 'skipped' = 'skipped'
  // Types this group does not handle are acked without touching Postgres.
  if (ctx.types === undefined || ctx.types.has(type)) {
    const event = parseEnvelope(fields.envelope)
    outcome = await withTransaction(ctx.pool, async (client) => {
      const inserted = await client.query(
        'INSERT INTO consumed_events (group_name, event_id) VALUES ($1, $2) ON CONFLICT DO NOTHING',
        [ctx.group, event.id])
      if (inserted.rowCount === 0) return 'duplicate' as const
      await ctx.handler(event, client)
      return 'handled' as const
    })
  }
  await ctx.redis.client.xack(stream, ctx.group, entryId)
  return { type, outcome }
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** A malformed entry throws like a failing handler, so it ends in the dead-letter stream instead of blocking. */
export function parseEnvelope (raw: string | undefined): EventEnvelope {
  const event = JSON.parse(raw ?? 'null') as EventEnvelope | null
  if (event === null || typeof event !== 'object' || typeof event.id !== 'string' || !UUID_RE.test(event.id)) {
    throw new Error('malformed event envelope')
  }
  return event
}
