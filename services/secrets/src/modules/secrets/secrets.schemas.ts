// Request and response schemas of the secrets routes (SPEC §5.3). Every string bounded, unknown fields refused.
import { Type, type Static } from 'typebox'
import { IsoDateTime, PageQuery, Str } from '@robbie/contracts'

export const ServiceName = Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,39}$', maxLength: 40 })
export const SecretName = Type.String({ pattern: '^[a-z0-9][a-z0-9_.-]{0,79}$', maxLength: 80 })
export const ScopeName = Type.Union([Type.Literal('global'), Type.Literal('company'), Type.Literal('node')])
/** a company slug or a node name ('' for global) */
export const ScopeId = Type.String({ pattern: '^([A-Za-z0-9][A-Za-z0-9._-]{0,99})?$', maxLength: 100 })
export const Visibility = Type.Union([Type.Literal('company'), Type.Literal('owner')])
/** 1 byte – 64 KiB; the byte count is checked by the service (a character can be 4 bytes) */
export const Value = Str(65536, 1)

export const Metadata = Type.Object({
  description: Type.Optional(Str(2000)),
  url: Type.Optional(Str(2048)),
  ownerUserId: Type.Optional(Str(64, 1)),
  tags: Type.Optional(Type.Array(Str(64, 1), { maxItems: 32 }))
}, { additionalProperties: false })

export const EntryParams = Type.Object({ service: ServiceName, name: SecretName }, { additionalProperties: false })
export type EntryParams = Static<typeof EntryParams>
export const AddressQuery = Type.Object({
  scope: Type.Optional(ScopeName),
  scopeId: Type.Optional(ScopeId)
}, { additionalProperties: false })
export type AddressQuery = Static<typeof AddressQuery>

export const PutBody = Type.Object({
  value: Value,
  metadata: Type.Optional(Metadata),
  expiresAt: Type.Optional(Type.Union([IsoDateTime, Type.Null()])),
  rotationIntervalDays: Type.Optional(Type.Union([Type.Integer({ minimum: 1, maximum: 730 }), Type.Null()])),
  visibility: Type.Optional(Visibility),
  ifVersion: Type.Optional(Type.Integer({ minimum: 0, maximum: 2147483647 }))
}, { additionalProperties: false })
export type PutBody = Static<typeof PutBody>

export const SecretView = Type.Object({
  id: Type.String(),
  service: Type.String(),
  name: Type.String(),
  scope: ScopeName,
  scopeId: Type.String(),
  version: Type.Integer(),
  managed: Type.Boolean(),
  visibility: Visibility,
  metadata: Metadata,
  expiresAt: Type.Union([Type.String(), Type.Null()]),
  rotationIntervalDays: Type.Union([Type.Integer(), Type.Null()]),
  rotationDueAt: Type.Union([Type.String(), Type.Null()]),
  createdBy: Type.String(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
  deletedAt: Type.Union([Type.String(), Type.Null()])
}, { additionalProperties: false })
export type SecretView = Static<typeof SecretView>

export const ListQuery = Type.Object({
  ...PageQuery.properties,
  service: Type.Optional(ServiceName),
  scope: Type.Optional(ScopeName),
  expiringWithinDays: Type.Optional(Type.Integer({ minimum: 0, maximum: 3650 })),
  includeDeleted: Type.Optional(Type.Boolean())
}, { additionalProperties: false })
export type ListQuery = Static<typeof ListQuery>
export const SecretPage = Type.Object({ items: Type.Array(SecretView), nextCursor: Type.Union([Type.String(), Type.Null()]) }, { additionalProperties: false })

export const RevealBody = Type.Object({
  version: Type.Optional(Type.Integer({ minimum: 1, maximum: 2147483647 })),
  reason: Str(200, 3)
}, { additionalProperties: false })
export type RevealBody = Static<typeof RevealBody>
export const RevealReply = Type.Object({ value: Type.String(), version: Type.Integer(), scope: ScopeName, scopeId: Type.String() }, { additionalProperties: false })

export const VersionsReply = Type.Object({
  items: Type.Array(Type.Object({ version: Type.Integer(), createdAt: Type.String(), createdBy: Type.String(), destroyed: Type.Boolean() }, { additionalProperties: false })),
  nextCursor: Type.Null()
}, { additionalProperties: false })

export const ResolveQuery = Type.Object({ node: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$', maxLength: 100 })) }, { additionalProperties: false })
const Override = Type.Union([Type.Literal('node'), Type.Literal('company'), Type.Null()])
export const ResolveReply = Type.Object({ scope: ScopeName, scopeId: Type.String(), version: Type.Integer(), overrideApplied: Override }, { additionalProperties: false })

export const SealStatus = Type.Object({
  sealed: Type.Boolean(),
  reason: Type.Optional(Type.Union([Type.Literal('missing_key'), Type.Literal('bad_key_length'), Type.Literal('key_mismatch')])),
  masterKeyId: Type.Union([Type.String(), Type.Null()]),
  previousKeyId: Type.Optional(Type.String()),
  dataKeys: Type.Integer(),
  rewrap: Type.Optional(Type.Object({ done: Type.Integer(), total: Type.Integer() }, { additionalProperties: false }))
}, { additionalProperties: false })
export const UnsealBody = Type.Object({ key: Str(100, 1) }, { additionalProperties: false })
export const RotateBody = Type.Object({}, { additionalProperties: false })
export const RotateReply = Type.Object({ jobId: Type.String() }, { additionalProperties: false })

// Internal routes (service identities)
export const InternalResolveBody = Type.Object({ service: ServiceName, name: SecretName }, { additionalProperties: false })
export const InternalResolveReply = Type.Object({
  value: Type.String(),
  version: Type.Integer(),
  scope: ScopeName,
  scopeId: Type.String(),
  overrideApplied: Override,
  expiresAt: Type.Union([Type.String(), Type.Null()])
}, { additionalProperties: false })
export const ManagedBody = Type.Object({ service: ServiceName, name: SecretName, value: Value, expiresAt: Type.Optional(Type.Union([IsoDateTime, Type.Null()])) }, { additionalProperties: false })
export const ManagedReply = Type.Object({ id: Type.String(), version: Type.Integer() }, { additionalProperties: false })
export const MatchBody = Type.Object({ candidates: Type.Array(Str(4096, 8), { maxItems: 500 }) }, { additionalProperties: false })
export const MatchReply = Type.Object({ matches: Type.Array(Type.Integer()) }, { additionalProperties: false })
