// Client → server frames of robbie.chat.v1 (SPEC §3.1), checked before anything acts on them. A frame that is
// not JSON, has an unknown type or fails its schema is a bad frame (CHAT_BAD_FRAME; 3 within 60 s → 4400).
import { Type, type Static, type TSchema } from 'typebox'
import { Value } from 'typebox/value'
import { Id, Str } from '@robbie/contracts'

const Slider = Type.Integer()
export const TOPICS = ['priorities', 'actions', 'sync', 'mesh', 'notes'] as const

const frame = <T extends string, P extends Parameters<typeof Type.Object>[0]>(type: T, props: P) =>
  Type.Object({ type: Type.Literal(type), ...props }, { additionalProperties: false })

const Hello = frame('hello', {
  v: Type.Literal(1),
  token: Str(8192, 1),
  resume: Type.Optional(Type.Object({ sessionId: Id, lastSeq: Type.Integer({ minimum: 0, maximum: 2 ** 31 }) }, { additionalProperties: false })),
  client: Type.Optional(Type.Object({ name: Str(100), version: Str(50) }, { additionalProperties: false }))
})
const AuthRefresh = frame('auth.refresh', { token: Str(8192, 1) })
// content is bounded by the frame size here; over 32 000 characters is CHAT_CONTENT_TOO_LONG (the engine's)
const ChatSend = frame('chat.send', { clientMsgId: Id, conversationId: Type.Union([Id, Type.Null()]), content: Type.String({ minLength: 1, maxLength: 262144 }) })
const ChatStop = frame('chat.stop', { messageId: Id })
const ChatAttach = frame('chat.attach', { messageId: Id, fromIndex: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000 })) })
const PersonalityUpdate = frame('personality.update', {
  gandhi: Type.Optional(Slider), flirty: Type.Optional(Slider), turbo: Type.Optional(Slider), auto: Type.Optional(Slider), preset: Type.Optional(Str(40, 1))
})
const Topic = Type.Union([Type.Literal('priorities'), Type.Literal('actions'), Type.Literal('sync'), Type.Literal('mesh'), Type.Literal('notes')])
const Subscribe = frame('subscribe', { topics: Type.Array(Topic, { maxItems: TOPICS.length, uniqueItems: true }) })
const Ping = frame('ping', { nonce: Type.Union([Str(100), Type.Number()]) })

const SCHEMAS: Record<string, TSchema> = {
  hello: Hello,
  'auth.refresh': AuthRefresh,
  'chat.send': ChatSend,
  'chat.stop': ChatStop,
  'chat.attach': ChatAttach,
  'personality.update': PersonalityUpdate,
  subscribe: Subscribe,
  ping: Ping
}

export type ClientFrame =
  | Static<typeof Hello> | Static<typeof AuthRefresh> | Static<typeof ChatSend> | Static<typeof ChatStop>
  | Static<typeof ChatAttach> | Static<typeof PersonalityUpdate> | Static<typeof Subscribe> | Static<typeof Ping>

/** NUL and lone surrogates: JSON carries them, Postgres and jsonb cannot. */
function clean (value: unknown): boolean {
  if (typeof value === 'string') return !value.includes('\u0000') && value.isWellFormed()
  if (value === null || typeof value !== 'object') return true
  return Object.entries(value).every(([k, v]) => clean(k) && clean(v))
}

/** The frame, or why it is bad. */
export function parseFrame (data: string): ClientFrame | { bad: string } {
  let value: unknown
  try { value = JSON.parse(data) } catch { return { bad: 'A frame must be a JSON object' } }
  const type = (value as { type?: unknown } | null)?.type
  if (typeof type !== 'string') return { bad: 'A frame needs a string `type`' }
  const schema = SCHEMAS[type]
  if (!schema) return { bad: `Unknown frame type '${type.slice(0, 40)}'` }
  if (!Value.Check(schema, value)) {
    const first = [...Value.Errors(schema, value)][0]
    return { bad: `Invalid ${type} frame${first ? `: ${first.instancePath || '/'} ${first.message}` : ''}` }
  }
  if (!clean(value)) return { bad: 'A frame may not carry NUL characters or lone surrogates' }
  return value as ClientFrame
}
