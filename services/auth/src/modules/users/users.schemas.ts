// Request and response schemas of SPEC §2.2 (users, invites, the internal directory).
import { Type } from 'typebox'
import { Email, Id, IsoDateTime, Page, Role, Str } from '@robbie/contracts'
import { NewPassword } from '../sessions/sessions.schemas.js'

const Status = Type.Union([Type.Literal('active'), Type.Literal('invited'), Type.Literal('disabled')])

export const UserListItem = Type.Object({
  id: Id, email: Type.String(), name: Type.String(), role: Role, status: Status, lastLoginAt: Type.Union([IsoDateTime, Type.Null()])
}, { additionalProperties: false })
export const UserPage = Page(UserListItem)

export const InviteBody = Type.Object({ email: Email, role: Type.Union([Type.Literal('admin'), Type.Literal('member')]) }, { additionalProperties: false })
export const InviteReply = Type.Object({ inviteId: Id, inviteUrl: Type.String() }, { additionalProperties: false })

export const AcceptBody = Type.Object({ token: Str(100, 20), name: Str(200, 1), password: NewPassword }, { additionalProperties: false })

export const UserPatch = Type.Object({
  role: Type.Optional(Type.Union([Type.Literal('admin'), Type.Literal('member')])),
  status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('disabled')])),
  name: Type.Optional(Str(200, 1))
}, { additionalProperties: false, minProperties: 1 })

/** `?ids=<id,…>` (1–100) or `?q=` (2–100 chars), exactly one */
export const DirectoryQuery = Type.Object({
  ids: Type.Optional(Str(3700, 36)),
  q: Type.Optional(Str(100, 2))
}, { additionalProperties: false })
export const DirectoryItem = Type.Object({ id: Id, email: Type.String(), name: Type.String(), role: Role, status: Status }, { additionalProperties: false })
export const DirectoryReply = Type.Object({ items: Type.Array(DirectoryItem), nextCursor: Type.Null() }, { additionalProperties: false })
