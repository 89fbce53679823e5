// Conversations and their messages over REST (SPEC §3.2): own only, everywhere. Someone else's conversation is
// not found, exactly like a missing one. Deleting is soft: hidden at once, purged after 30 days.
import { uuidv7, type Identity } from '@robbie/contracts'
import { ConversationNotFound, MessageNotFound } from '../engine/engine.errors.js'
import type { MessageStreams } from '../engine/message-stream.js'
import type { ConversationsRepository, MessageRow } from './conversations.repository.js'
import type { ListConversationsQuery, MessageView, PatchConversationBody } from './conversations.schemas.js'
import { decodeCursor, encodeCursor, isIso, isUuid } from './cursor.js'
import { toConversationView, toMessageView } from './views.js'

const PURGE_AFTER_DAYS = 30

export function createConversationsService (deps: { repo: ConversationsRepository, streams: Pick<MessageStreams, 'textSoFar'>, now?: () => Date }) {
  const now = deps.now ?? (() => new Date())
  const { repo } = deps

  async function view (m: MessageRow): Promise<MessageView> {
    return toMessageView(m, m.status === 'streaming' ? await deps.streams.textSoFar(m.id) : undefined)
  }

  return {
    view,

    async list (identity: Identity, q: ListConversationsQuery) {
      const after = decodeCursor<[boolean, string, string]>(q.cursor, (v) => v.length === 3 && typeof v[0] === 'boolean' && isIso(v[1]) && isUuid(v[2]))
      const rows = await repo.listConversations(identity.id, { status: q.status, ...(q.q ? { q: q.q } : {}), limit: q.limit + 1, ...(after ? { after: { pinned: after[0], at: after[1], id: after[2] } } : {}) })
      const page = rows.slice(0, q.limit)
      const last = page.at(-1)
      return {
        items: page.map(toConversationView),
        nextCursor: rows.length > q.limit && last ? encodeCursor([last.pinned, (last.lastMessageAt ?? last.createdAt).toISOString(), last.id]) : null
      }
    },

    async create (identity: Identity, title: string | undefined) {
      return toConversationView(await repo.createConversation({ id: uuidv7(), userId: identity.id, title: title?.trim() ?? '', channel: identity.keyId ? 'api' : 'web', at: now() }))
    },

    async get (identity: Identity, id: string) {
      const c = await repo.findConversation(identity.id, id)
      if (!c) throw new ConversationNotFound(id)
      return toConversationView(c)
    },

    async patch (identity: Identity, id: string, body: PatchConversationBody) {
      const c = await repo.patchConversation(identity.id, id, { ...body, ...(body.title !== undefined ? { title: body.title.trim() } : {}) }, now())
      if (!c) throw new ConversationNotFound(id)
      return toConversationView(c)
    },

    async remove (identity: Identity, id: string): Promise<void> {
      if (!await repo.softDelete(identity.id, id, now())) throw new ConversationNotFound(id)
    },

    /** Oldest first; `before` (or the cursor) is a message id of the conversation. */
    async messages (identity: Identity, conversationId: string, q: { before?: string, cursor?: string, limit: number }) {
      if (!await repo.findConversation(identity.id, conversationId)) throw new ConversationNotFound(conversationId)
      const beforeId = q.before ?? decodeCursor<[string]>(q.cursor, (v) => v.length === 1 && isUuid(v[0]))?.[0]
      let beforeSeq: number | undefined
      if (beforeId) {
        const m = await repo.findMessage(identity.id, beforeId)
        if (!m || m.conversationId !== conversationId) throw new MessageNotFound(beforeId)
        beforeSeq = m.seq
      }
      const { rows, more } = await repo.messagesPage(identity.id, conversationId, { ...(beforeSeq !== undefined ? { beforeSeq } : {}), limit: q.limit })
      return { items: await Promise.all(rows.map(view)), nextCursor: more && rows[0] ? encodeCursor([rows[0].id]) : null }
    },

    async message (identity: Identity, id: string): Promise<MessageView> {
      const m = await repo.findMessage(identity.id, id)
      if (!m) throw new MessageNotFound(id)
      return await view(m)
    },

    async search (identity: Identity, q: { q: string, limit: number, cursor?: string }) {
      const after = decodeCursor<[string, string]>(q.cursor, (v) => v.length === 2 && isIso(v[0]) && isUuid(v[1]))
      const hits = await repo.search(identity.id, { q: q.q, limit: q.limit, ...(after ? { after: { at: after[0], id: after[1] } } : {}) })
      const page = hits.slice(0, q.limit)
      const last = page.at(-1)
      return {
        items: page.map((h) => ({ conversationId: h.conversationId, messageId: h.messageId, role: h.role, snippet: h.snippet, at: h.createdAt.toISOString() })),
        nextCursor: hits.length > q.limit && last ? encodeCursor([last.createdAt.toISOString(), last.messageId]) : null
      }
    },

    purge: async () => await repo.purgeDeleted(new Date(now().getTime() - PURGE_AFTER_DAYS * 86_400_000))
  }
}
export type ConversationsService = ReturnType<typeof createConversationsService>
