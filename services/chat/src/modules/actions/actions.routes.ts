// The actions API (SPEC §3.7) under /api/chat: the caller's own actions, and deciding them. Thin handlers: the
// service checks ownership (403 for someone else's action) and state (409).
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { ActionsService } from './actions.service.js'
import { ActionPage, ActionParams, ActionView, ApproveBody, ListActionsQuery, RejectBody, toActionView, type ListActionsQuery as ListQuery } from './actions.schemas.js'

interface ActionsRoutesOptions { actions: ActionsService }

export async function actionsRoutes (app: FastifyInstance, opts: ActionsRoutesOptions): Promise<void> {
  const { actions } = opts
  const tags = ['actions']
  const decide = { scope: 'chat:write', idempotent: true } as const
  // the body is optional: a bare POST is a decision without edits or reason
  const emptyBody = async (request: FastifyRequest) => { request.body ??= {} }

  app.get('/actions', {
    config: { scope: 'chat:read' },
    schema: { tags, summary: 'Your actions: approvals waiting, and what Robbie did', querystring: ListActionsQuery, response: { 200: ActionPage } }
  }, async (request) => {
    const q = request.query as ListQuery
    const page = await actions.list(request.identity!, { limit: q.limit, ...(q.status ? { status: q.status as never } : {}), ...(q.cursor ? { cursor: q.cursor } : {}) })
    return { items: page.items.map(toActionView), nextCursor: page.nextCursor }
  })

  app.post('/actions/:id/approve', {
    config: decide,
    preValidation: emptyBody,
    schema: { tags, summary: 'Approve an action (optionally with edits); it runs once', params: ActionParams, body: ApproveBody, response: { 200: ActionView } }
  }, async (request) => {
    const body = (request.body ?? {}) as ApproveBody
    return toActionView(await actions.approve(request.identity!, (request.params as ActionParams).id, body.edits, request))
  })

  app.post('/actions/:id/reject', {
    config: decide,
    preValidation: emptyBody,
    schema: { tags, summary: 'Reject an action', params: ActionParams, body: RejectBody, response: { 200: ActionView } }
  }, async (request) => {
    const body = (request.body ?? {}) as RejectBody
    return toActionView(await actions.reject(request.identity!, (request.params as ActionParams).id, body.reason, request))
  })

  app.post('/actions/:id/undo', {
    config: decide,
    schema: { tags, summary: 'Undo what an action changed', params: ActionParams, response: { 200: ActionView } }
  }, async (request) => toActionView(await actions.undo(request.identity!, (request.params as ActionParams).id, request)))
}
