// SQL of the conversations and messages tables (SPEC §3.2). Every read names its owner (`user_id = $n`): a row
// of someone else is invisible, exactly like a missing one. Each method takes an optional client last.
import type { Queryable } from '@robbie/db'
import type { ToolCallView } from '../assistant.types.js'

type Role = 'user' | 'assistant' | 'tool' | 'notice'
type MessageStatus = 'complete' | 'streaming' | 'stopped' | 'failed'
type ConversationStatus = 'active' | 'archived' | 'deleted'

export interface ConversationRow {
  id: string,
  userId: string,
  title: string,
  channel: string,
  channelRef: string | null,
  status: ConversationStatus,
  pinned: boolean
  createdAt: Date,
  updatedAt: Date,
  lastMessageAt: Date | null,
  messageCount: number
}

export interface MessageRow {
  id: string,
  conversationId: string,
  userId: string,
  seq: number,
  role: Role,
  content: string,
  status: MessageStatus
  clientMsgId: string | null,
  replyTo: string | null,
  model: string | null,
  node: string | null,
  routeRequestId: string | null
  tokensIn: number | null,
  tokensOut: number | null,
  latencyMs: number | null,
  toolCalls: ToolCallView[] | null
  taint: boolean,
  redactions: number,
  createdAt: Date,
  updatedAt: Date
}

const CONV = 'id, user_id, title, channel, channel_ref, status, pinned, created_at, updated_at, last_message_at, message_count'
const MSG = `id, conversation_id, user_id, seq, role, content, status, client_msg_id, reply_to, model, node, route_request_id,
  tokens_in, tokens_out, latency_ms, tool_calls, taint, redactions, created_at, updated_at`
const msgCols = (alias: string) => MSG.split(',').map((c) => `${alias}.${c.trim()}`).join(', ')

const toConversation = (r: Record<string, unknown>): ConversationRow => ({
  id: r.id as string,
  userId: r.user_id as string,
  title: r.title as string,
  channel: r.channel as string,
  channelRef: r.channel_ref as string | null,
  status: r.status as ConversationStatus,
  pinned: r.pinned as boolean,
  createdAt: r.created_at as Date,
  updatedAt: r.updated_at as Date,
  lastMessageAt: r.last_message_at as Date | null,
  messageCount: r.message_count as number
})

const toMessageRow = (r: Record<string, unknown>): MessageRow => ({
  id: r.id as string,
  conversationId: r.conversation_id as string,
  userId: r.user_id as string,
  seq: r.seq as number,
  role: r.role as Role,
  content: r.content as string,
  status: r.status as MessageStatus,
  clientMsgId: r.client_msg_id as string | null,
  replyTo: r.reply_to as string | null,
  model: r.model as string | null,
  node: r.node as string | null,
  routeRequestId: r.route_request_id as string | null,
  tokensIn: r.tokens_in as number | null,
  tokensOut: r.tokens_out as number | null,
  latencyMs: r.latency_ms as number | null,
  toolCalls: r.tool_calls as ToolCallView[] | null,
  taint: r.taint as boolean,
  redactions: r.redactions as number,
  createdAt: r.created_at as Date,
  updatedAt: r.updated_at as Date
})

type NewMessage = Pick<MessageRow, 'id' | 'conversationId' | 'userId' | 'seq' | 'role' | 'content' | 'status' | 'clientMsgId' | 'replyTo' | 'redactions' | 'taint'>

export interface FinalMessage {
  content: string,
  status: MessageStatus,
  role?: Role,
  model?: string | null,
  node?: string | null,
  routeRequestId?: string | null
  tokensIn?: number | null,
  tokensOut?: number | null,
  latencyMs?: number | null,
  toolCalls?: ToolCallView[] | null,
  taint?: boolean,
  redactions?: number
}

interface ConversationCursor { pinned: boolean, at: string, id: string }
interface SearchCursor { at: string, id: string }

/** `%`, `_` and `\` taken literally in an ILIKE pattern. */
const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`)

export function createConversationsRepository (pool: Queryable) {
  const q = (client?: Queryable) => client ?? pool
  /** A message of a conversation that is not deleted, whoever owns it (callers compare userId). */
  async function findMessageAnyOwner (id: string, client?: Queryable): Promise<MessageRow | null> {
    const { rows } = await q(client).query(`SELECT ${msgCols('m')} FROM messages m JOIN conversations c ON c.id = m.conversation_id
      WHERE m.id = $1 AND c.status <> 'deleted'`, [id])
    return rows[0] ? toMessageRow(rows[0]) : null
  }
  return {
    async createConversation (c: { id: string, userId: string, title: string, channel: string, at: Date }, client?: Queryable): Promise<ConversationRow> {
      const { rows } = await q(client).query(`INSERT INTO conversations (id, user_id, title, channel, created_at, updated_at)
        VALUES ($1, $2, $3, $4, $5, $5) RETURNING ${CONV}`, [c.id, c.userId, c.title, c.channel, c.at])
      return toConversation(rows[0]!)
    },

    async findConversation (userId: string, id: string, client?: Queryable): Promise<ConversationRow | null> {
      const { rows } = await q(client).query(`SELECT ${CONV} FROM conversations WHERE id = $1 AND user_id = $2 AND status <> 'deleted'`, [id, userId])
      return rows[0] ? toConversation(rows[0]) : null
    },

    /** Reserves `n` message numbers in the conversation (row-locked until the transaction ends); null if not the user's. */
    async reserveSeqs (userId: string, id: string, n: number, at: Date, client: Queryable): Promise<number | null> {
      const { rows } = await client.query(`UPDATE conversations SET message_count = message_count + $3, last_message_at = $4, updated_at = $4
        WHERE id = $1 AND user_id = $2 AND status <> 'deleted' RETURNING message_count`, [id, userId, n, at])
      return rows[0] ? (rows[0].message_count as number) - n + 1 : null
    },

    async listConversations (userId: string, o: { status: 'active' | 'archived', q?: string, limit: number, after?: ConversationCursor }): Promise<ConversationRow[]> {
      const params: unknown[] = [userId, o.status, o.limit]
      let where = 'user_id = $1 AND status = $2'
      if (o.q) { params.push(`%${likeEscape(o.q)}%`); where += ` AND title ILIKE $${params.length}` }
      if (o.after) {
        params.push(o.after.pinned, o.after.at, o.after.id)
        const n = params.length
        where += ` AND (pinned, coalesce(last_message_at, created_at), id) < ($${n - 2}, $${n - 1}::timestamptz, $${n}::uuid)`
      }
      const { rows } = await pool.query(`SELECT ${CONV} FROM conversations WHERE ${where}
        ORDER BY pinned DESC, coalesce(last_message_at, created_at) DESC, id DESC LIMIT $3`, params)
      return rows.map(toConversation)
    },

    async patchConversation (userId: string, id: string, p: { title?: string, pinned?: boolean, status?: 'active' | 'archived' }, at: Date): Promise<ConversationRow | null> {
      const { rows } = await pool.query(`UPDATE conversations SET title = coalesce($3, title), pinned = coalesce($4, pinned),
          status = coalesce($5, status), updated_at = $6
        WHERE id = $1 AND user_id = $2 AND status <> 'deleted' RETURNING ${CONV}`, [id, userId, p.title ?? null, p.pinned ?? null, p.status ?? null, at])
      return rows[0] ? toConversation(rows[0]) : null
    },

    async softDelete (userId: string, id: string, at: Date): Promise<boolean> {
      const { rowCount } = await pool.query(`UPDATE conversations SET status = 'deleted', deleted_at = $3, updated_at = $3
        WHERE id = $1 AND user_id = $2 AND status <> 'deleted'`, [id, userId, at])
      return (rowCount ?? 0) > 0
    },

    /** Conversations deleted before `before`, with their messages (SPEC §3.2: purged after 30 days). */
    async purgeDeleted (before: Date, limit = 500): Promise<number> {
      const { rowCount } = await pool.query(`DELETE FROM conversations WHERE id IN (
        SELECT id FROM conversations WHERE status = 'deleted' AND deleted_at < $1 LIMIT $2)`, [before, limit])
      return rowCount ?? 0
    },

    async insertMessage (m: NewMessage, at: Date, client: Queryable): Promise<MessageRow> {
      const { rows } = await client.query(`INSERT INTO messages (id, conversation_id, user_id, seq, role, content, status, client_msg_id,
          reply_to, redactions, taint, created_at, updated_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) RETURNING ${MSG}`,
      [m.id, m.conversationId, m.userId, m.seq, m.role, m.content, m.status, m.clientMsgId, m.replyTo, m.redactions, m.taint, at])
      return toMessageRow(rows[0]!)
    },

    /** The user message sent with this clientMsgId and the assistant message answering it. */
    async findTurnByClientMsgId (userId: string, clientMsgId: string, client?: Queryable): Promise<{ user: MessageRow, assistant: MessageRow | null } | null> {
      const { rows } = await q(client).query(`SELECT ${msgCols('u')}, a.id AS a_id FROM messages u
        LEFT JOIN messages a ON a.reply_to = u.id WHERE u.user_id = $1 AND u.client_msg_id = $2`, [userId, clientMsgId])
      if (!rows[0]) return null
      const assistant = rows[0].a_id ? await findMessageAnyOwner(rows[0].a_id as string, client) : null
      return { user: toMessageRow(rows[0]), assistant }
    },

    findMessageAnyOwner,

    async findMessage (userId: string, id: string): Promise<MessageRow | null> {
      const m = await findMessageAnyOwner(id)
      return m && m.userId === userId ? m : null
    },

    async finalizeMessage (id: string, f: FinalMessage, at: Date, client: Queryable): Promise<MessageRow | null> {
      const { rows } = await client.query(`UPDATE messages SET content = $2, status = $3, role = coalesce($4, role), model = $5, node = $6,
          route_request_id = $7, tokens_in = $8, tokens_out = $9, latency_ms = $10, tool_calls = $11, taint = coalesce($12, taint),
          redactions = coalesce($13, redactions), updated_at = $14
        WHERE id = $1 AND status = 'streaming' RETURNING ${MSG}`,
      [id, f.content, f.status, f.role ?? null, f.model ?? null, f.node ?? null, f.routeRequestId ?? null, f.tokensIn ?? null, f.tokensOut ?? null,
        f.latencyMs ?? null, f.toolCalls ? JSON.stringify(f.toolCalls) : null, f.taint ?? null, f.redactions ?? null, at])
      if (rows[0]) await client.query('UPDATE conversations SET last_message_at = $2, updated_at = $2 WHERE id = $1', [rows[0].conversation_id, at])
      return rows[0] ? toMessageRow(rows[0]) : null
    },

    /** The `limit` messages before `beforeSeq` (or the latest), oldest first; `more` when older ones exist. */
    async messagesPage (userId: string, conversationId: string, o: { beforeSeq?: number, limit: number }): Promise<{ rows: MessageRow[], more: boolean }> {
      const { rows } = await pool.query(`SELECT ${msgCols('m')} FROM messages m JOIN conversations c ON c.id = m.conversation_id
        WHERE m.conversation_id = $1 AND c.user_id = $2 AND c.status <> 'deleted' AND ($3::int IS NULL OR m.seq < $3)
        ORDER BY m.seq DESC LIMIT $4`, [conversationId, userId, o.beforeSeq ?? null, o.limit + 1])
      const more = rows.length > o.limit
      return { rows: rows.slice(0, o.limit).map(toMessageRow).reverse(), more }
    },

    /** History for a prompt: the conversation's messages before `beforeSeq`, newest first, until `maxChars`. */
    async history (conversationId: string, beforeSeq: number, maxChars: number): Promise<MessageRow[]> {
      const { rows } = await pool.query(`SELECT ${MSG} FROM (
          SELECT ${MSG}, sum(char_length(content)) OVER (ORDER BY seq DESC) AS running FROM messages
          WHERE conversation_id = $1 AND seq < $2 AND role IN ('user', 'assistant') AND content <> '') h
        WHERE running - char_length(content) < $3 ORDER BY seq DESC LIMIT 500`, [conversationId, beforeSeq, maxChars])
      return rows.map(toMessageRow)
    },

    async search (userId: string, o: { q: string, limit: number, after?: SearchCursor }) {
      const { rows } = await pool.query(`SELECT m.conversation_id, m.id, m.role, m.created_at,
          ts_headline('english', m.content, query, 'MaxWords=30, MinWords=10, MaxFragments=1, StartSel=«, StopSel=»') AS snippet
        FROM messages m JOIN conversations c ON c.id = m.conversation_id, websearch_to_tsquery('english', $2) AS query
        WHERE m.user_id = $1 AND c.user_id = $1 AND c.status <> 'deleted' AND m.tsv @@ query
          AND ($4::timestamptz IS NULL OR (m.created_at, m.id) < ($4::timestamptz, $5::uuid))
        ORDER BY m.created_at DESC, m.id DESC LIMIT $3`, [userId, o.q, o.limit + 1, o.after?.at ?? null, o.after?.id ?? null])
      return rows.map((r: Record<string, unknown>) => ({
        conversationId: r.conversation_id as string, messageId: r.id as string, role: r.role as string, snippet: r.snippet as string, createdAt: r.created_at as Date
      }))
    },

    /** Messages still `streaming` since before `before`: their generation may have died with its replica. */
    async staleStreaming (before: Date, limit = 100): Promise<MessageRow[]> {
      const { rows } = await pool.query(`SELECT ${MSG} FROM messages WHERE status = 'streaming' AND created_at < $1 ORDER BY created_at LIMIT $2`, [before, limit])
      return rows.map(toMessageRow)
    }
  }
}
export type ConversationsRepository = ReturnType<typeof createConversationsRepository>
