// The relay's two database steps, kept apart from its loop so each crash window is easy to read.
import { randomUUID } from 'node:crypto'
import type { Pool } from '@robbie/db'
import type { BusRedis } from './redis.js'

/** Stream cap: approximate trimming (`MAXLEN ~`) is cheap; the cap is far above any consumer lag we expect. */
export const STREAM_MAXLEN = 100_000

/**
 * Publishes one batch of unpublished rows in seq order; returns the types published.
 * FOR UPDATE SKIP LOCKED lets replicas run side by side: a locked row is being published by another relay, so each
 * batch goes out once. The transaction stays open across the XADDs (the one place we hold a transaction over Redis)
 * because the row lock is what prevents the double send. Crash windows: XADD done but COMMIT lost → the rows are
 * still unpublished and go out again; consumers dedupe on the event id, so that is harmless.
 * Replicas may interleave batches, so order within a stream is best-effort; consumers must not rely on it.
 */
export async function publishBatch (pool: Pool, redis: BusRedis, producer: string, batch: number): Promise<string[]> {
  const client = await pool.connect()
  try {
    await client.query('BEGIN')
    const { rows } = await client.query<{ id: string, type: string, envelope: unknown }>(
      `SELECT id, type, envelope FROM outbox WHERE published_at IS NULL
       ORDER BY seq LIMIT $1 FOR UPDATE SKIP LOCKED`, [batch])
    if (rows.length === 0) { await client.query('COMMIT'); return [] }
    const pipe = redis.client.pipeline()
    const stream = redis.keys.stream(producer)
    for (const row of rows) {
      pipe.xadd(stream, 'MAXLEN', '~', STREAM_MAXLEN, '*', 'type', row.type, 'envelope', JSON.stringify(row.envelope))
    }
    const results = await pipe.exec()
    const failed = results?.find(([err]) => err !== null)
    if (!results || failed) throw failed?.[0] ?? new Error('redis pipeline aborted')
    await client.query('UPDATE outbox SET published_at = now() WHERE id = ANY($1::uuid[])', [rows.map((r) => r.id)])
    await client.query('COMMIT')
    return rows.map((r) => r.type)
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {})
    throw err
  } finally {
    client.release()
  }
}

/**
 * SPEC §0.4 Redis-loss check. The epoch is a random value in `<prefix>bus:epoch`; the value this schema last saw is
 * in bus_state, so the check also works across relay restarts. A missing key gets a new value (SET NX: the first
 * relay wins and everyone reads its value). If the value differs from the one we stored, Redis lost its data (or
 * was replaced): every row of the retention window is marked unpublished again, in the same transaction that
 * stores the new epoch, so a crash in between repeats the whole re-publish rather than skipping it.
 * Returns the number of rows queued for re-publishing.
 */
export async function checkEpoch (pool: Pool, redis: BusRedis, retentionDays: number): Promise<number> {
  const key = redis.keys.epoch
  let current = await redis.client.get(key)
  if (current === null) {
    await redis.client.set(key, randomUUID(), 'NX')
    current = await redis.client.get(key)
    if (current === null) throw new Error('bus epoch vanished right after SET NX')
  }
  const client = await pool.connect()
  try {
    await client.query('BEGIN')
    const { rows } = await client.query<{ value: string }>("SELECT value FROM bus_state WHERE key = 'epoch' FOR UPDATE")
    const stored = rows[0]?.value
    if (stored === current) { await client.query('COMMIT'); return 0 }
    let requeued = 0
    // No stored value: this schema never published under any epoch, so there is nothing to re-publish.
    if (stored !== undefined) {
      const res = await client.query(
        `UPDATE outbox SET published_at = NULL
         WHERE published_at IS NOT NULL AND created_at >= now() - make_interval(days => $1)`, [retentionDays])
      requeued = res.rowCount ?? 0
    }
    await client.query(
      `INSERT INTO bus_state (key, value, updated_at) VALUES ('epoch', $1, now())
       ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`, [current])
    await client.query('COMMIT')
    return requeued
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {})
    throw err
  } finally {
    client.release()
  }
}

/** Drops published rows past the retention window (unpublished rows are never dropped). */
export async function pruneOutbox (pool: Pool, retentionDays: number): Promise<number> {
  const res = await pool.query(
    'DELETE FROM outbox WHERE published_at IS NOT NULL AND created_at < now() - make_interval(days => $1)',
    [retentionDays])
  return res.rowCount ?? 0
}
