// Request and response schemas of SPEC §2.1. Every string is bounded; unknown fields are refused.
import { Type } from 'typebox'
import { Email, Id, IsoDateTime, Role, Str } from '@robbie/contracts'

/** SPEC §2.1: 12–256 characters for a new password */
export const NewPassword = Str(256, 12)
export const TimeZone = Str(64, 1)
const Nullable = <T extends ReturnType<typeof Str>>(t: T) => Type.Union([t, Type.Null()])

export const LoginBody = Type.Object({ email: Email, password: Str(256, 1) }, { additionalProperties: false })

export const PublicUser = Type.Object({ id: Id, email: Type.String(), name: Type.String(), role: Role }, { additionalProperties: false })

export const SessionReply = Type.Object({
  accessToken: Type.String(),
  expiresIn: Type.Integer(),
  user: PublicUser
}, { additionalProperties: false })

export const Profile = Type.Object({
  id: Id,
  email: Type.String(),
  name: Type.String(),
  role: Role,
  status: Type.Union([Type.Literal('active'), Type.Literal('invited'), Type.Literal('disabled')]),
  timeZone: Type.String(),
  createdAt: IsoDateTime,
  lastLoginAt: Type.Union([IsoDateTime, Type.Null()])
}, { additionalProperties: false })

export const MePatch = Type.Object({
  name: Type.Optional(Str(200, 1)),
  timeZone: Type.Optional(TimeZone),
  password: Type.Optional(Type.Object({ current: Str(256, 1), next: NewPassword }, { additionalProperties: false }))
}, { additionalProperties: false, minProperties: 1 })

export const Session = Type.Object({
  id: Id,
  createdAt: IsoDateTime,
  lastUsedAt: IsoDateTime,
  idleExpiresAt: IsoDateTime,
  expiresAt: IsoDateTime,
  ip: Nullable(Str(64)),
  userAgent: Nullable(Str(512)),
  current: Type.Boolean()
}, { additionalProperties: false })

export const SessionList = Type.Object({ items: Type.Array(Session), nextCursor: Type.Null() }, { additionalProperties: false })
export const IdParams = Type.Object({ id: Id }, { additionalProperties: false })
