// Conversations, their messages, search and the command list (SPEC §3.2), under /api/chat. Thin handlers.
import type { FastifyInstance } from 'fastify'
import { Type, type Static } from 'typebox'
import type { CommandsApi } from '../assistant.types.js'
import type { ConversationsService } from './conversations.service.js'
import {
  CommandsPage, ConversationPage, ConversationSchema, CreateConversationBody, IdParams, ListConversationsQuery, MessagePage, MessageSchema,
  MessagesPageQuery, PatchConversationBody, SearchPage, SearchQuery
} from './conversations.schemas.js'

export async function conversationsRoutes (app: FastifyInstance, opts: { conversations: ConversationsService, commands: Pick<CommandsApi, 'list'> }): Promise<void> {
  const { conversations } = opts
  const read = { scope: 'chat:read' }
  const write = { scope: 'chat:write' }
  const tags = ['conversations']
  const id = (request: { params: unknown }) => (request.params as Static<typeof IdParams>).id

  app.get('/conversations', {
    config: read,
    schema: { tags, summary: 'Your conversations, pinned first, then by latest activity', querystring: ListConversationsQuery, response: { 200: ConversationPage } }
  }, async (request) => await conversations.list(request.identity!, request.query as Static<typeof ListConversationsQuery>))

  app.post('/conversations', {
    config: { ...write, idempotent: true },
    schema: { tags, summary: 'Start an empty conversation', body: CreateConversationBody, response: { 201: ConversationSchema } }
  }, async (request, reply) => await reply.code(201).send(await conversations.create(request.identity!, (request.body as Static<typeof CreateConversationBody>).title)))

  app.get('/conversations/:id', {
    config: read,
    schema: { tags, summary: 'One of your conversations', params: IdParams, response: { 200: ConversationSchema } }
  }, async (request) => await conversations.get(request.identity!, id(request)))

  app.patch('/conversations/:id', {
    config: write,
    schema: { tags, summary: 'Rename, pin or archive a conversation', params: IdParams, body: PatchConversationBody, response: { 200: ConversationSchema } }
  }, async (request) => await conversations.patch(request.identity!, id(request), request.body as Static<typeof PatchConversationBody>))

  app.delete('/conversations/:id', {
    config: write,
    schema: { tags, summary: 'Delete a conversation (hidden now, purged after 30 days)', params: IdParams, response: { 204: Type.Null() } }
  }, async (request, reply) => {
    await conversations.remove(request.identity!, id(request))
    return await reply.code(204).send()
  })

  app.get('/conversations/:id/messages', {
    config: read,
    schema: { tags, summary: 'A page of messages, oldest first; `before` pages back', params: IdParams, querystring: MessagesPageQuery, response: { 200: MessagePage } }
  }, async (request) => await conversations.messages(request.identity!, id(request), request.query as Static<typeof MessagesPageQuery>))

  app.get('/messages/:id', {
    config: read,
    schema: { tags: ['messages'], summary: 'One of your messages (a streaming one with its text so far)', params: IdParams, response: { 200: MessageSchema } }
  }, async (request) => await conversations.message(request.identity!, id(request)))

  app.get('/search', {
    config: read,
    schema: { tags: ['search'], summary: 'Full-text search over your own conversations, newest first', querystring: SearchQuery, response: { 200: SearchPage } }
  }, async (request) => await conversations.search(request.identity!, request.query as Static<typeof SearchQuery>))

  app.get('/commands', {
    config: read,
    schema: { tags: ['commands'], summary: 'The built-in commands (SPEC §3.6), for autocomplete', response: { 200: CommandsPage } }
  }, async () => ({ items: opts.commands.list(), nextCursor: null }))
}
