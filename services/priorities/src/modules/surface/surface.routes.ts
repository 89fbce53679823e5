// The surface, quadrants, stats and one item (SPEC §4.4), mounted under /api/priorities.
import type { FastifyInstance } from 'fastify'
import { Type } from 'typebox'
import { roundScore } from '../scoring/score.js'
import { type ItemRow, type ItemsService, type Quadrant, type Viewer, UnknownQuadrant, viewerOf } from '../items/index.js'
import { QUADRANTS, surfacedView, type SurfaceService } from './surface.service.js'
import {
  ItemParams, ItemView, MoveBody, PatchItemBody, QuadrantParams, QuadrantQuery, QuadrantReply, StatsReply, SurfaceQuery, SurfaceReply
} from './surface.schemas.js'

export async function surfaceRoutes (app: FastifyInstance, opts: { items: ItemsService, surface: SurfaceService }): Promise<void> {
  const { items, surface } = opts
  const read = { scope: 'priorities:read' }
  const write = { scope: 'priorities:write' }
  const tags = ['surface']

  async function itemView (viewer: Viewer, item: ItemRow) {
    const row = await surface.scoreOne(viewer, item)
    const sources = await items.sources(item.id)
    return {
      ...surfacedView(row),
      status: item.status,
      visibility: item.visibility,
      ownerUserId: item.ownerUserId,
      assigneeUserId: item.assigneeUserId,
      importanceOverride: item.importanceOverride,
      urgencyOverride: item.urgencyOverride,
      snoozedUntil: item.snoozedUntil?.toISOString() ?? null,
      ...(item.task ? { number: item.task.number } : {}),
      version: item.version,
      createdAt: item.createdAt.toISOString(),
      updatedAt: item.updatedAt.toISOString(),
      breakdown: row.s.breakdown.map((b) => ({ ...b, points: roundScore(b.points) })),
      sources: sources.map((s) => ({ type: s.sourceType, id: s.sourceId, url: s.url, addedAt: s.addedAt.toISOString() }))
    }
  }

  app.get('/surface', {
    config: read,
    schema: { tags, summary: 'The top items with their reasons, the rest by quadrant, stats (ETag)', querystring: SurfaceQuery, response: { 200: SurfaceReply, 304: Type.Null() } }
  }, async (request, reply) => {
    const viewer = viewerOf(request.identity)
    const top = (request.query as SurfaceQuery).top
    const inm = request.headers['if-none-match']
    if (inm) {
      const etag = await surface.etag(viewer, top)
      if (etag && inm === etag) return await reply.code(304).header('etag', etag).send()
    }
    const { json, etag } = await surface.surface(viewer, top)
    if (etag) void reply.header('etag', etag)
    return await reply.header('cache-control', 'private, no-cache').type('application/json; charset=utf-8').serializer((p: unknown) => p as string).send(json)
  })

  app.get('/quadrants/:q', {
    config: read,
    schema: { tags, summary: 'One quadrant, in surface order', params: QuadrantParams, querystring: QuadrantQuery, response: { 200: QuadrantReply } }
  }, async (request) => {
    const q = (request.params as { q: string }).q
    if (!(QUADRANTS as string[]).includes(q)) throw new UnknownQuadrant(q)
    const { limit, cursor } = request.query as QuadrantQuery
    const rows = (await surface.scored(viewerOf(request.identity))).filter((r) => r.s.quadrant === q)
    const from = cursor === undefined ? 0 : Number(cursor)
    const page = rows.slice(from, from + limit)
    return {
      quadrant: q as Quadrant,
      count: rows.length,
      items: page.map((r) => ({ id: r.item.id, kind: r.item.kind, title: r.item.title, score: roundScore(r.s.score), importance: roundScore(r.s.importance), urgency: roundScore(r.s.urgency), why: r.s.why })),
      nextCursor: from + limit < rows.length ? String(from + limit) : null
    }
  })

  app.get('/stats', {
    config: read,
    schema: { tags, summary: 'Counts by quadrant and queue, average score by kind', response: { 200: StatsReply } }
  }, async (request) => {
    const viewer = viewerOf(request.identity)
    // counts from the (cached) surface; averages over every open item (the surface lists only a summary)
    const parsed = JSON.parse((await surface.surface(viewer)).json) as { stats: ReturnType<SurfaceService['stats']> }
    const averages = await surface.averages(viewer)
    return { ...parsed.stats, avgScoreByKind: Object.fromEntries(Object.entries(averages).map(([k, v]) => [k, roundScore(v)])), at: new Date().toISOString() }
  })

  app.get('/items/:id', {
    config: read,
    schema: { tags, summary: 'One item with its score breakdown and sources', params: ItemParams, response: { 200: ItemView } }
  }, async (request) => {
    const viewer = viewerOf(request.identity)
    return await itemView(viewer, await items.get(viewer, (request.params as ItemParams).id))
  })

  app.patch('/items/:id', {
    config: write,
    schema: { tags, summary: 'Overrides, pin, snooze, dismiss or restore, domain', params: ItemParams, body: PatchItemBody, response: { 200: ItemView } }
  }, async (request) => {
    const viewer = viewerOf(request.identity)
    const b = request.body as PatchItemBody
    const item = await items.patchItem(viewer, (request.params as ItemParams).id, {
      ...b, snoozedUntil: b.snoozedUntil === undefined ? undefined : b.snoozedUntil === null ? null : new Date(b.snoozedUntil)
    }, request)
    return await itemView(viewer, item)
  })

  app.post('/items/:id/move', {
    config: { ...write, idempotent: true },
    schema: { tags, summary: 'Move to a quadrant: an audited override', params: ItemParams, body: MoveBody, response: { 200: ItemView } }
  }, async (request) => {
    const viewer = viewerOf(request.identity)
    const item = await items.move(viewer, (request.params as ItemParams).id, (request.body as MoveBody).quadrant, request)
    return await itemView(viewer, item)
  })
}
