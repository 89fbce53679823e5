// The model endpoints' schemas (SPEC §7.3). Request bodies validate only what the coordinator reads itself
// (`model`, `messages`, `prompt`, `stream`); every other field passes to the node unchanged, the written
// exception of SPEC §0.1, so these objects (and only these) allow additional properties. The 1 MiB body limit
// bounds the rest.
import { Type } from 'typebox'
import { Str } from '@robbie/contracts'

const TEXT_MAX = 1_048_576
const MESSAGES_MAX = 10_000
const Model = Str(200, 1)
const Stream = Type.Optional(Type.Boolean())

const OllamaMessage = Type.Object({
  role: Str(64, 1),
  content: Type.Optional(Type.String({ maxLength: TEXT_MAX }))
}, { additionalProperties: true })

export const ChatBody = Type.Object({
  model: Model,
  messages: Type.Optional(Type.Array(OllamaMessage, { maxItems: MESSAGES_MAX })),
  stream: Stream
}, { additionalProperties: true })

export const GenerateBody = Type.Object({
  model: Model,
  prompt: Type.Optional(Type.String({ maxLength: TEXT_MAX })),
  stream: Stream
}, { additionalProperties: true })

// OpenAI's content is a string or a list of parts (text, image_url)
const OpenAiMessage = Type.Object({
  role: Str(64, 1),
  content: Type.Optional(Type.Union([
    Type.String({ maxLength: TEXT_MAX }),
    Type.Array(Type.Object({ type: Str(64, 1) }, { additionalProperties: true }), { maxItems: 1000 }),
    Type.Null()
  ]))
}, { additionalProperties: true })

export const CompletionsBody = Type.Object({
  model: Model,
  messages: Type.Array(OpenAiMessage, { minItems: 1, maxItems: MESSAGES_MAX }),
  stream: Stream
}, { additionalProperties: true })

/** The node's own answer, passed through: NDJSON (Ollama), SSE (OpenAI) or one JSON document. */
export const NodeAnswer = Type.Unknown({ description: "The node's answer as the node sent it: application/x-ndjson or text/event-stream when streamed, application/json otherwise" })

const Details = Type.Object({
  parent_model: Type.Optional(Type.String()),
  format: Type.Optional(Type.String()),
  family: Type.Optional(Type.String()),
  families: Type.Optional(Type.Union([Type.Array(Type.String()), Type.Null()])),
  parameter_size: Type.Optional(Type.String()),
  quantization_level: Type.Optional(Type.String())
}, { additionalProperties: false })

export const TagsReply = Type.Object({
  models: Type.Array(Type.Object({
    name: Type.String(),
    model: Type.String(),
    modified_at: Type.String(),
    size: Type.Integer(),
    digest: Type.String(),
    details: Details,
    robbie: Type.Object({ nodes: Type.Array(Type.String()) }, { additionalProperties: false })
  }, { additionalProperties: false }))
}, { additionalProperties: false })

export const PsReply = Type.Object({
  models: Type.Array(Type.Object({
    name: Type.String(),
    model: Type.String(),
    size: Type.Integer(),
    digest: Type.String(),
    details: Details,
    expires_at: Type.String(),
    size_vram: Type.Integer(),
    robbie: Type.Object({ node: Type.String() }, { additionalProperties: false })
  }, { additionalProperties: false }))
}, { additionalProperties: false })

export const VersionReply = Type.Object({ version: Type.String() }, { additionalProperties: false })

export const ModelsReply = Type.Object({
  object: Type.Literal('list'),
  data: Type.Array(Type.Object({
    id: Type.String(),
    object: Type.Literal('model'),
    created: Type.Integer(),
    owned_by: Type.String()
  }, { additionalProperties: false }))
}, { additionalProperties: false })
