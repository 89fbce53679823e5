// Real producers for the intake tests: a kit app per producing service (its own schema, outbox and relay), so
// events reach priorities as real envelopes on `<prefix>events:<producer>`, exactly as the later-wave services
// will send them. No stand-in service logic: the test writes the payload, the bus does the rest.
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { withTransaction } from '@robbie/db'
import type { EventEnvelope } from '@robbie/contracts'
import { createService, defineConfig, loadConfig } from '@robbie/service-kit'
import { buildTestApp, serviceEnv, type TestAppContext } from '@robbie/testing'

const servicesDir = join(import.meta.dirname, '..', '..')
export type Producer = 'auth' | 'secrets' | 'chat' | 'integration-sync' | 'github-bot'

export async function buildProducers (ctx: TestAppContext): Promise<Record<Producer, FastifyInstance>> {
  const names: Producer[] = ['auth', 'secrets', 'chat', 'integration-sync', 'github-bot']
  const apps = await Promise.all(names.map(async (name) => await buildTestApp(async () => await createService({
    name,
    config: loadConfig(defineConfig({}), serviceEnv(name, ctx.db, ctx.prefix, { LOG_LEVEL: 'error' })),
    serviceDir: join(servicesDir, name)
  }))))
  return Object.fromEntries(names.map((n, i) => [n, apps[i]!])) as Record<Producer, FastifyInstance>
}

export interface Publish {
  type: string
  data: Record<string, unknown>
  subject?: { type: string, id: string }
  visibility?: EventEnvelope['visibility']
  taint?: boolean
}

/** Commits the event in the producer's outbox; its relay puts it on the producer's stream. */
export async function publish (producer: FastifyInstance, e: Publish): Promise<EventEnvelope> {
  return await withTransaction(producer.db, async (client) => await producer.outbox.add(client, {
    type: e.type,
    subject: e.subject ?? { type: e.type.split('.')[1]!, id: String(Object.values(e.data)[0]) },
    actor: { type: 'system', id: producer.serviceName },
    visibility: e.visibility ?? 'owner',
    taint: e.taint ?? false,
    data: e.data
  }))
}

export async function until<T> (probe: () => Promise<T | undefined | null | false> | T | undefined | null | false, ms = 20_000): Promise<T> {
  const end = Date.now() + ms
  for (;;) {
    const value = await probe()
    if (value !== undefined && value !== null && value !== false) return value
    if (Date.now() > end) throw new Error('timed out waiting')
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

/** Waits until priorities' inbox holds the event (its effect committed with it). */
export async function consumed (app: FastifyInstance, eventId: string): Promise<void> {
  await until(async () => ((await app.db.query("SELECT 1 FROM consumed_events WHERE group_name = 'priorities' AND event_id = $1", [eventId])).rowCount ?? 0) > 0)
}

/** Everything intake may change, as one comparable value. */
export async function snapshot (app: FastifyInstance): Promise<unknown> {
  const q = async (sql: string) => (await app.db.query(sql)).rows
  return {
    items: await q('SELECT to_jsonb(i) AS r FROM items i ORDER BY id'),
    tasks: await q('SELECT to_jsonb(t) AS r FROM task_details t ORDER BY item_id'),
    sources: await q('SELECT to_jsonb(s) AS r FROM item_sources s ORDER BY source_type, source_id'),
    focus: await q('SELECT to_jsonb(f) AS r FROM user_focus f ORDER BY user_id'),
    users: await q('SELECT to_jsonb(u) AS r FROM known_users u ORDER BY user_id'),
    events: await q("SELECT count(*)::int AS n FROM outbox WHERE type LIKE 'priorities.%'")
  }
}

/**
 * Delivers an event a second time with its inbox row removed, so the handler itself must be idempotent (the
 * inbox would otherwise make it a no-op before the handler runs): XADD of the same envelope to the stream.
 */
export async function redeliverBypassingInbox (app: FastifyInstance, producer: string, envelope: EventEnvelope): Promise<void> {
  await app.db.query("DELETE FROM consumed_events WHERE group_name = 'priorities' AND event_id = $1", [envelope.id])
  await app.redis.client.xadd(app.redis.keys.stream(producer), '*', 'type', envelope.type, 'envelope', JSON.stringify(envelope))
  await consumed(app, envelope.id)
}
