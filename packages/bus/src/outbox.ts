// The producer side (ARCHITECTURE decision 5): the event is a row written in the caller's own transaction, so it
// exists if and only if the state change committed. This never touches Redis; the relay does that afterwards.
import type { PoolClient } from '@robbie/db'
import type { EventEnvelope } from '@robbie/contracts'
import { buildEnvelope, type NewEvent } from './envelope.js'

/** The NOTIFY channel of one schema's outbox (LISTEN/NOTIFY is database-wide, schemas share it). */
export const outboxChannel = (schema: string) => `bus_outbox_${schema}`

export function createOutbox (opts: { producer: string }) {
  return {
    /** Inserts the event with `client` (inside the caller's transaction) and returns the envelope written. */
    async add<D extends Record<string, unknown>> (client: Pick<PoolClient, 'query'>, event: NewEvent<D>): Promise<EventEnvelope<D>> {
      const envelope = buildEnvelope(opts.producer, event)
      await client.query(
        'INSERT INTO outbox (id, type, envelope) VALUES ($1, $2, $3)',
        [envelope.id, envelope.type, JSON.stringify(envelope)]
      )
      // Postgres delivers a NOTIFY only at COMMIT (and drops it on ROLLBACK), so a listening relay wakes exactly
      // when the row becomes visible. Identical notifications in one transaction are folded into one.
      await client.query("SELECT pg_notify('bus_outbox_' || current_schema(), '')")
      return envelope
    }
  }
}
export type Outbox = ReturnType<typeof createOutbox>
