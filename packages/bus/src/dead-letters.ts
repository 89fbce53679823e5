// The admin view of one group's dead-letter stream (the kit's GET /api/<service>/admin/dead-letters and
// POST …/:id/replay). Newest first; the cursor is the last stream id returned.
import type { BusRedis } from './redis.js'
import { fieldsToObject } from './redis.js'

export interface DeadLetter {
  id: string
  type: string
  /** The event's id ('' when the envelope was malformed). */
  eventId: string
  stream: string
  deliveries: number
  lastError: string
  deadAt: string
}

const STREAM_ID_RE = /^\d{1,20}-\d{1,20}$/

export class InvalidCursorError extends Error {
  readonly code = 'BUS_INVALID_CURSOR'
}

function toDeadLetter (id: string, raw: unknown): DeadLetter {
  const f = fieldsToObject(raw)
  let eventId = ''
  try { eventId = (JSON.parse(f.envelope ?? 'null') as { id?: string } | null)?.id ?? '' } catch { /* malformed */ }
  return {
    id,
    type: f.type ?? 'unknown',
    eventId,
    stream: f.stream ?? '',
    deliveries: Number(f.deliveries ?? 0),
    lastError: f.lastError ?? '',
    deadAt: f.deadAt ?? new Date(Number(id.split('-')[0])).toISOString()
  }
}

export function createDeadLetters (opts: { redis: BusRedis, group: string }) {
  const { redis } = opts
  const key = redis.keys.dead(opts.group)
  return {
    async list ({ limit = 50, cursor }: { limit?: number, cursor?: string | null } = {}) {
      if (cursor != null && !STREAM_ID_RE.test(cursor)) throw new InvalidCursorError('invalid cursor')
      // '(' makes the range exclusive, so the page starts just after the cursor.
      const end = cursor == null ? '+' : `(${cursor}`
      const entries = await redis.client.xrevrange(key, end, '-', 'COUNT', limit + 1)
      const items = entries.slice(0, limit).map(([id, fields]) => toDeadLetter(id, fields))
      const nextCursor = entries.length > limit ? items[items.length - 1]!.id : null
      return { items, nextCursor }
    },

    /**
     * Re-adds the event to its original stream and deletes the dead letter. Every group on that stream sees it
     * again; those that already handled it dedupe on the event id, so only this group's effect happens.
     * XADD before XDEL: a crash in between leaves the dead letter listed, and replaying it again is harmless.
     */
    async replay (id: string): Promise<boolean> {
      if (!STREAM_ID_RE.test(id)) return false
      const entries = await redis.client.xrange(key, id, id)
      const entry = entries[0]
      if (!entry) return false
      const f = fieldsToObject(entry[1])
      if (!f.stream || !f.envelope) return false
      await redis.client.xadd(f.stream, '*', 'type', f.type ?? 'unknown', 'envelope', f.envelope)
      await redis.client.xdel(key, id)
      return true
    },

    /** For the robbie_dead_letters gauge. */
    count: async (): Promise<number> => redis.client.xlen(key)
  }
}
export type DeadLetters = ReturnType<typeof createDeadLetters>
