// Request and response schemas of SPEC §3.2 (conversations, messages, search). Every string is bounded and
// every object closed; response schemas are allow-lists.
import { Type, type Static } from 'typebox'
import { Id, Page, Str } from '@robbie/contracts'

/** The largest message content (SPEC §0.1); longer → CHAT_CONTENT_TOO_LONG, checked by the engine. */
export const MAX_CONTENT = 32_000

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()])

const ToolCallSchema = Type.Object({
  id: Type.String(),
  tool: Type.String(),
  args: Type.Record(Type.String(), Type.Unknown()),
  status: Type.Union([Type.Literal('proposed'), Type.Literal('running'), Type.Literal('done'), Type.Literal('needs_approval'), Type.Literal('rejected'), Type.Literal('failed')]),
  actionId: Type.Optional(Type.String()),
  result: Type.Optional(Type.Unknown())
}, { additionalProperties: false })

export const MessageSchema = Type.Object({
  id: Type.String(),
  conversationId: Type.String(),
  seq: Type.Integer(),
  role: Type.Union([Type.Literal('user'), Type.Literal('assistant'), Type.Literal('tool'), Type.Literal('notice')]),
  content: Type.String(),
  status: Type.Union([Type.Literal('complete'), Type.Literal('streaming'), Type.Literal('stopped'), Type.Literal('failed')]),
  createdAt: Type.String(),
  model: Type.Optional(Type.String()),
  node: Type.Optional(Type.String()),
  routeRequestId: Type.Optional(Type.String()),
  tokensIn: Type.Optional(Type.Integer()),
  tokensOut: Type.Optional(Type.Integer()),
  latencyMs: Type.Optional(Type.Integer()),
  toolCalls: Type.Optional(Type.Array(ToolCallSchema)),
  taint: Type.Boolean(),
  redactions: Type.Integer()
}, { additionalProperties: false })
export type MessageView = Static<typeof MessageSchema>

export const ConversationSchema = Type.Object({
  id: Type.String(),
  title: Type.String(),
  channel: Type.String(),
  status: Type.Union([Type.Literal('active'), Type.Literal('archived')]),
  pinned: Type.Boolean(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
  lastMessageAt: Nullable(Type.String()),
  messageCount: Type.Integer()
}, { additionalProperties: false })
export type ConversationView = Static<typeof ConversationSchema>

export const IdParams = Type.Object({ id: Id }, { additionalProperties: false })

export const ListConversationsQuery = Type.Object({
  status: Type.Union([Type.Literal('active'), Type.Literal('archived')], { default: 'active' }),
  q: Type.Optional(Str(200, 1)),
  limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
  cursor: Type.Optional(Str(512, 1))
}, { additionalProperties: false })
export type ListConversationsQuery = Static<typeof ListConversationsQuery>

export const CreateConversationBody = Type.Object({ title: Type.Optional(Str(200)) }, { additionalProperties: false })
export const PatchConversationBody = Type.Object({
  title: Type.Optional(Str(200)),
  pinned: Type.Optional(Type.Boolean()),
  status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('archived')]))
}, { additionalProperties: false, minProperties: 1 })
export type PatchConversationBody = Static<typeof PatchConversationBody>

export const MessagesPageQuery = Type.Object({
  before: Type.Optional(Id),
  limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
  cursor: Type.Optional(Str(512, 1))
}, { additionalProperties: false })

export const SearchQuery = Type.Object({
  q: Str(200, 2),
  limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
  cursor: Type.Optional(Str(512, 1))
}, { additionalProperties: false })

const SearchHit = Type.Object({
  conversationId: Type.String(),
  messageId: Type.String(),
  role: Type.String(),
  snippet: Type.String(),
  at: Type.String()
}, { additionalProperties: false })

export const ConversationPage = Page(ConversationSchema)
export const MessagePage = Page(MessageSchema)
export const SearchPage = Page(SearchHit)

export const CommandsPage = Page(Type.Object({ name: Type.String(), usage: Type.String(), description: Type.String() }, { additionalProperties: false }))

export const SendBody = Type.Object({
  conversationId: Type.Union([Id, Type.Null()]),
  // bounded here by the frame and body limits; over 32 000 characters is CHAT_CONTENT_TOO_LONG, not a 400
  content: Type.String({ minLength: 1, maxLength: 256 * 1024 }),
  clientMsgId: Id
}, { additionalProperties: false })
export type SendBody = Static<typeof SendBody>

export const SendReply = Type.Object({
  conversationId: Type.String(),
  userMessage: MessageSchema,
  assistantMessage: MessageSchema
}, { additionalProperties: false })
export const SendAccepted = Type.Object({ assistantMessageId: Type.String(), status: Type.Literal('streaming') }, { additionalProperties: false })
export const StopReply = Type.Object({ messageId: Type.String(), stopping: Type.Literal(true) }, { additionalProperties: false })
