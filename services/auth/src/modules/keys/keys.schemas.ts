// Request and response schemas of the keys routes (SPEC §2.3); they validate and document.
import { Type } from 'typebox'
import { Id, IsoDateTime, Page, PageQuery, Str } from '@robbie/contracts'

const Scope = Str(64, 1)
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()])

export const CreateKeyBody = Type.Object({
  name: Str(80, 1),
  type: Type.Optional(Type.Literal('pat')),
  scopes: Type.Array(Scope, { minItems: 1, maxItems: 32 }),
  expiresInDays: Type.Integer({ minimum: 1, maximum: 365, default: 90 })
}, { additionalProperties: false })

export const CreatedKey = Type.Object({
  id: Str(12), key: Str(80), name: Str(80), scopes: Type.Array(Scope), createdAt: IsoDateTime, expiresAt: IsoDateTime
}, { additionalProperties: false })

export const ListKeysQuery = Type.Object({
  ...PageQuery.properties,
  userId: Type.Optional(Id)
}, { additionalProperties: false })

export const KeyItem = Type.Object({
  id: Str(12),
  name: Str(120),
  prefix: Str(24),
  scopes: Type.Array(Scope),
  createdAt: IsoDateTime,
  expiresAt: Nullable(IsoDateTime),
  lastUsedAt: Nullable(IsoDateTime),
  lastUsedIp: Nullable(Str(64)),
  revokedAt: Nullable(IsoDateTime)
}, { additionalProperties: false })
export const KeyPage = Page(KeyItem)

export const KeyParams = Type.Object({ id: Str(64, 1) }, { additionalProperties: false })

export const RotateBody = Type.Object({
  graceHours: Type.Integer({ minimum: 0, maximum: 168, default: 24 })
}, { additionalProperties: false })

// ---- internal ----

export const VerifyBody = Type.Object({
  key: Str(200, 1),
  /** the client address the calling service saw, for the key's "last used" (optional) */
  ip: Type.Optional(Str(64, 1))
}, { additionalProperties: false })

export const IdentitySchema = Type.Object({
  kind: Type.Union([Type.Literal('user'), Type.Literal('service'), Type.Literal('node')]),
  id: Str(200, 1),
  role: Type.Optional(Type.Union([Type.Literal('owner'), Type.Literal('admin'), Type.Literal('member')])),
  scopes: Type.Array(Scope),
  sessionId: Type.Optional(Str(64)),
  keyId: Type.Optional(Str(12)),
  actor: Type.Optional(Type.Object({
    id: Str(200, 1),
    ctx: Type.Optional(Type.Union([Type.Literal('dm'), Type.Literal('channel'), Type.Literal('web')]))
  }, { additionalProperties: false }))
}, { additionalProperties: false })

export const VerifyReply = Type.Object({ identity: IdentitySchema, expiresAt: Nullable(IsoDateTime) }, { additionalProperties: false })

export const DelegateBody = Type.Object({
  userId: Id,
  ctx: Type.Optional(Type.Union([Type.Literal('dm'), Type.Literal('channel'), Type.Literal('web')])),
  ttlS: Type.Integer({ minimum: 1, maximum: 300, default: 300 })
}, { additionalProperties: false })
export const DelegateReply = Type.Object({ token: Str(4096, 1), expiresAt: IsoDateTime }, { additionalProperties: false })

const NodeName = Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' })
export const NodeKeyBody = Type.Object({ nodeName: NodeName }, { additionalProperties: false })
export const NodeKeyReply = Type.Object({ keyId: Str(12), key: Str(80) }, { additionalProperties: false })
export const NodeKeyParams = Type.Object({ nodeName: NodeName }, { additionalProperties: false })
