// Reclaiming entries a consumer took but never acked (it crashed, or its handler threw): SPEC §0.4.
import type { BusRedis } from './redis.js'
import { fieldsToObject } from './redis.js'

export interface ReclaimOptions {
  redis: BusRedis
  group: string
  consumer: string
  reclaimIdleMs: number
  maxDeliveries: number
  /** Last error message per `${stream} ${entryId}`, as far as this process knows it. */
  lastErrors: Map<string, string>
  count?: number
}

export interface Claimed { stream: string, id: string, fields: Record<string, string> }

/**
 * For each stream: pending entries idle ≥ reclaimIdleMs that were delivered maxDeliveries times move to
 * `<prefix>dead:<group>` (XADD first, then XACK: a crash in between leaves a duplicate dead letter, never a lost
 * one); the others are XCLAIMed (which counts a delivery) and returned for another try.
 * XCLAIM's min-idle argument makes two replicas reclaiming at once harmless: only one of them gets each entry.
 */
export async function reclaim (opts: ReclaimOptions, streams: string[]): Promise<{ claimed: Claimed[], dead: string[] }> {
  const { redis, group } = opts
  const claimed: Claimed[] = []
  const dead: string[] = []
  for (const stream of streams) {
    const pending = await redis.client.call(
      'xpending', stream, group, 'IDLE', opts.reclaimIdleMs, '-', '+', opts.count ?? 100) as Array<[string, string, number, number]>
    const retry: string[] = []
    for (const [id, , , deliveries] of pending) {
      if (deliveries < opts.maxDeliveries) { retry.push(id); continue }
      const entries = await redis.client.xrange(stream, id, id)
      const errKey = `${stream} ${id}`
      if (entries.length > 0) {
        const fields = fieldsToObject(entries[0]![1])
        await redis.client.xadd(redis.keys.dead(group), '*',
          'type', fields.type ?? 'unknown', 'envelope', fields.envelope ?? 'null', 'stream', stream,
          'originalId', id, 'deliveries', String(deliveries),
          'lastError', opts.lastErrors.get(errKey) ?? 'unknown (failed in another consumer)',
          'deadAt', new Date().toISOString())
        dead.push(fields.type ?? 'unknown')
      }
      // An entry already trimmed from the stream has nothing left to dead-letter: just drop it from the PEL.
      await redis.client.xack(stream, group, id)
      opts.lastErrors.delete(errKey)
    }
    if (retry.length === 0) continue
    const got = await redis.client.call('xclaim', stream, group, opts.consumer, opts.reclaimIdleMs, ...retry) as
      Array<[string, string[]] | null>
    for (const entry of got) {
      if (entry) claimed.push({ stream, id: entry[0], fields: fieldsToObject(entry[1]) })
    }
  }
  return { claimed, dead }
}
