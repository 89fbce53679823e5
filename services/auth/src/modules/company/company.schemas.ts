// Company settings (SPEC §2.2): the same view for GET /api/auth/company and GET /internal/auth/company.
import { Type } from 'typebox'
import { Id, IsoDateTime, Str } from '@robbie/contracts'

const Domain = Type.String({ pattern: '^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$', maxLength: 253 })

export const Company = Type.Object({
  name: Type.String(),
  slug: Type.String(),
  internalDomains: Type.Array(Type.String()),
  timeZone: Type.String(),
  ownerUserId: Type.Union([Id, Type.Null()]),
  ownerName: Type.Union([Type.String(), Type.Null()]),
  undoWindowS: Type.Integer(),
  dailySendCap: Type.Integer(),
  dailyCalendarWriteCap: Type.Integer(),
  memberGpuSecondsPerDay: Type.Integer(),
  writingStyle: Type.String(),
  briefCron: Type.String(),
  onboardedAt: Type.Union([IsoDateTime, Type.Null()]),
  version: Type.Integer()
}, { additionalProperties: false })

export const CompanyPatchBody = Type.Object({
  name: Type.Optional(Str(200, 1)),
  slug: Type.Optional(Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,62}$', maxLength: 63 })),
  internalDomains: Type.Optional(Type.Array(Domain, { maxItems: 20, uniqueItems: true })),
  timeZone: Type.Optional(Str(64, 1)),
  undoWindowS: Type.Optional(Type.Integer({ minimum: 0, maximum: 600 })),
  dailySendCap: Type.Optional(Type.Integer({ minimum: 0, maximum: 10000 })),
  dailyCalendarWriteCap: Type.Optional(Type.Integer({ minimum: 0, maximum: 10000 })),
  memberGpuSecondsPerDay: Type.Optional(Type.Integer({ minimum: 0, maximum: 86400 })),
  writingStyle: Type.Optional(Str(4000)),
  briefCron: Type.Optional(Str(100, 9)),
  onboarded: Type.Optional(Type.Literal(true))
}, { additionalProperties: false, minProperties: 1 })
