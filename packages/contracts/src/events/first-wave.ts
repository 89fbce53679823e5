// Payloads of first-wave events priorities consumes (SPEC §12): their producers exist (secrets, auth, chat) and
// build exactly these fields.
import { Type, type Static } from 'typebox'
import { Id, IsoDateTime, Str } from '../primitives.js'

export const SecretRotationDueV1 = Type.Object({
  secretId: Id,
  service: Str(40, 1),
  name: Str(80, 1),
  scope: Type.Union([Type.Literal('global'), Type.Literal('company'), Type.Literal('node')]),
  dueAt: IsoDateTime,
  reason: Type.Union([Type.Literal('rotation'), Type.Literal('expiry')]),
  assigneeUserId: Type.Union([Id, Type.Null()])
})
export type SecretRotationDueV1 = Static<typeof SecretRotationDueV1>

export const SecretUpdatedV1 = Type.Object({
  secretId: Id,
  service: Str(40, 1),
  name: Str(80, 1),
  scope: Str(20, 1),
  scopeId: Str(100),
  version: Type.Integer({ minimum: 1 }),
  managed: Type.Boolean()
})
export type SecretUpdatedV1 = Static<typeof SecretUpdatedV1>

export const ApiKeyExpiringV1 = Type.Object({ keyId: Id, userId: Id, name: Str(100, 1), expiresAt: IsoDateTime })
export type ApiKeyExpiringV1 = Static<typeof ApiKeyExpiringV1>

export const ApiKeyRevokedV1 = Type.Object({ keyId: Id })
export type ApiKeyRevokedV1 = Static<typeof ApiKeyRevokedV1>

const Slider = Type.Integer({ minimum: 1, maximum: 10 })
export const PersonalityUpdatedV1 = Type.Object({
  userId: Id,
  values: Type.Object({ gandhi: Slider, flirty: Slider, turbo: Slider, auto: Slider }),
  mood: Str(20, 1),
  version: Type.Integer({ minimum: 1 })
})
export type PersonalityUpdatedV1 = Static<typeof PersonalityUpdatedV1>

export const UserCreatedV1 = Type.Object({
  userId: Id,
  role: Type.Union([Type.Literal('owner'), Type.Literal('admin'), Type.Literal('member')])
})
export type UserCreatedV1 = Static<typeof UserCreatedV1>

export const UserUpdatedV1 = Type.Object({
  userId: Id,
  role: Type.Union([Type.Literal('owner'), Type.Literal('admin'), Type.Literal('member')]),
  status: Type.Union([Type.Literal('active'), Type.Literal('invited'), Type.Literal('disabled')]),
  version: Type.Integer({ minimum: 1 })
})
export type UserUpdatedV1 = Static<typeof UserUpdatedV1>
