// Deals (SPEC §4.1): PUT /deals/:externalId is the only way deals arrive (UI or a CRM connector). Each deal is
// an item of kind `deal` owned by whoever put it first, private to them: revenue_potential = amount ×
// probability / 100, is_strategic = amount > 50 000; a closed stage closes the item. Owner and admin only.
import type { FastifyInstance } from 'fastify'
import { Type, type Static } from 'typebox'
import { Email, IsoDateTime, Str } from '@robbie/contracts'
import { genericError } from '@robbie/service-kit'
import { withTransaction } from '@robbie/db'
import { affectedBy, createItemsRepository, storedScore, viewerOf, type ItemsService, type Viewer } from '../items/index.js'

const Params = Type.Object({ externalId: Str(200, 1) }, { additionalProperties: false })
type Params = Static<typeof Params>
const PutBody = Type.Object({
  name: Str(300, 1),
  amount: Type.Number({ minimum: 0, maximum: 1e12 }),
  probability: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 })),
  stage: Type.Optional(Type.Union([Str(100), Type.Null()])),
  closeDate: Type.Optional(Type.Union([IsoDateTime, Type.Null()])),
  contactEmails: Type.Optional(Type.Array(Email, { maxItems: 100 }))
}, { additionalProperties: false })
type PutBody = Static<typeof PutBody>
export type DealInput = PutBody
const DealView = Type.Object({
  externalId: Type.String(),
  name: Type.String(),
  amount: Type.Number(),
  probability: Type.Integer(),
  stage: Type.Union([Type.String(), Type.Null()]),
  closeDate: Type.Union([Type.String(), Type.Null()]),
  contactEmails: Type.Array(Type.String()),
  ownerUserId: Type.String(),
  itemId: Type.Union([Type.String(), Type.Null()]),
  revenuePotential: Type.Number(),
  isStrategic: Type.Boolean(),
  updatedAt: Type.String()
})
const ListQuery = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
  cursor: Type.Optional(Str(200, 1))
}, { additionalProperties: false })
type ListQuery = Static<typeof ListQuery>

const COLUMNS = 'external_id, name, amount, probability, stage, close_date, contact_emails, owner_user_id, item_id, updated_at'
const toView = (r: Record<string, unknown>) => {
  const amount = Number(r.amount)
  const probability = r.probability as number
  return {
    externalId: r.external_id as string,
    name: r.name as string,
    amount,
    probability,
    stage: r.stage as string | null,
    closeDate: (r.close_date as Date | null)?.toISOString() ?? null,
    contactEmails: r.contact_emails as string[],
    ownerUserId: r.owner_user_id as string,
    itemId: r.item_id as string | null,
    revenuePotential: amount * probability / 100,
    isStrategic: amount > 50_000,
    updatedAt: (r.updated_at as Date).toISOString()
  }
}
const isClosed = (stage: string | null | undefined) => !!stage && /^closed[ _-]?(won|lost)$/i.test(stage)

/** Creates or changes a deal and its item, as `viewer` (the PUT route; sample data). `sample` marks the row. */
export async function upsertDeal (app: FastifyInstance, items: ItemsService, viewer: Viewer, externalId: string, b: DealInput, opts: { sample?: boolean } = {}) {
  const repo = createItemsRepository(app.db)
  const probability = b.probability ?? 50
  const revenuePotential = b.amount * probability / 100
  const closeDate = b.closeDate ? new Date(b.closeDate) : null
  const fields = {
    title: b.name,
    revenuePotential,
    isStrategic: b.amount > 50_000,
    deadline: closeDate,
    details: { amount: b.amount, probability, stage: b.stage ?? null, dealId: externalId }
  }
  const { row, created, affected } = await withTransaction(app.db, async (client) => {
    const { rows: existing } = await client.query(`SELECT ${COLUMNS} FROM deals WHERE external_id = $1 FOR UPDATE`, [externalId])
    const prev = existing[0]
    let itemId = (prev?.item_id as string | null | undefined) ?? null
    let affected = { users: [] as string[], company: false }
    if (!itemId) {
      // a deal deleted and put again finds its old item through the source link and reopens it
      const found = await repo.findBySource('deal', externalId, client)
      if (found) itemId = found.id
    }
    if (itemId) {
      const before = await repo.findById(itemId, client, true)
      await repo.update(itemId, { ...fields, status: isClosed(b.stage) ? 'done' : 'open' }, {}, new Date(), client)
      const after = (await repo.findById(itemId, client))!
      const s = storedScore(after, new Date())
      await client.query('UPDATE items SET importance = $2, urgency = $3, effort = $4, score = $5, quadrant = $6, domain = $7 WHERE id = $1', [itemId, s.importance, s.urgency, s.effort, s.score, s.quadrant, s.domain])
      affected = affectedBy(before, after)
    } else {
      const r = await items.createFromSource(client, {
        kind: 'deal',
        ownerUserId: viewer.userId,
        visibility: 'private',
        sourceType: 'deal',
        sourceId: externalId,
        ...fields,
        actor: { type: 'user', id: viewer.userId }
      })
      itemId = r.item.id
      affected = affectedBy(r.item)
      if (isClosed(b.stage)) await client.query("UPDATE items SET status = 'done' WHERE id = $1", [itemId])
    }
    const { rows } = await client.query(`INSERT INTO deals (external_id, name, amount, probability, stage, close_date, contact_emails, owner_user_id, item_id, updated_at, sample)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, now(), $10)
      ON CONFLICT (external_id) DO UPDATE SET name = EXCLUDED.name, amount = EXCLUDED.amount, probability = EXCLUDED.probability,
        stage = EXCLUDED.stage, close_date = EXCLUDED.close_date, contact_emails = EXCLUDED.contact_emails, item_id = EXCLUDED.item_id, updated_at = now()
      RETURNING ${COLUMNS}`,
    [externalId, b.name, b.amount, probability, b.stage ?? null, closeDate, (b.contactEmails ?? []).map((e) => e.toLowerCase()), prev?.owner_user_id ?? viewer.userId, itemId, opts.sample === true])
    return { row: rows[0], created: !prev, affected }
  })
  await items.changed(affected)
  return { row, created }
}

export async function dealsRoutes (app: FastifyInstance, opts: { items: ItemsService }): Promise<void> {
  const config = { roles: ['owner' as const, 'admin' as const] }
  const tags = ['deals']
  const repo = createItemsRepository(app.db)

  app.get('/deals', { config, schema: { tags, summary: 'Deals (owner, admin)', querystring: ListQuery, response: { 200: Type.Object({ items: Type.Array(DealView), nextCursor: Type.Union([Type.String(), Type.Null()]) }) } } }, async (request) => {
    const { limit, cursor } = request.query as ListQuery
    const { rows } = await app.db.query(`SELECT ${COLUMNS} FROM deals WHERE ($1::text IS NULL OR external_id > $1) ORDER BY external_id LIMIT $2`, [cursor ?? null, limit + 1])
    const more = rows.length > limit
    const page = rows.slice(0, limit).map(toView)
    return { items: page, nextCursor: more ? page[page.length - 1]!.externalId : null }
  })

  app.put('/deals/:externalId', {
    config, schema: { tags, summary: 'Create or change a deal, and its item (owner, admin)', params: Params, body: PutBody, response: { 200: DealView, 201: DealView } }
  }, async (request, reply) => {
    const { row, created } = await upsertDeal(app, opts.items, viewerOf(request.identity), (request.params as Params).externalId, request.body as PutBody)
    return await reply.code(created ? 201 : 200).send(toView(row))
  })

  app.delete('/deals/:externalId', { config, schema: { tags, summary: 'Delete a deal; its item closes (owner, admin)', params: Params } }, async (request, reply) => {
    const externalId = (request.params as Params).externalId
    const affected = await withTransaction(app.db, async (client) => {
      const { rows } = await client.query('DELETE FROM deals WHERE external_id = $1 RETURNING item_id', [externalId])
      if (!rows[0]) throw genericError('priorities', 'NOT_FOUND', `No deal '${externalId}'`)
      const itemId = rows[0].item_id as string | null
      if (!itemId) return null
      await repo.update(itemId, { status: 'dismissed' }, {}, new Date(), client)
      return affectedBy(await repo.findById(itemId, client))
    })
    if (affected) await opts.items.changed(affected)
    return await reply.code(204).send()
  })
}
