// Schemas of the audit viewer (SPEC §2.4).
import { Type } from 'typebox'
import { IsoDateTime, Page, PageQuery, Str } from '@robbie/contracts'
import { AuditEventSchema } from '@robbie/service-kit'

const ServiceName = Type.String({ minLength: 1, maxLength: 40, pattern: '^[a-z][a-z0-9-]*$' })

export const AuditListQuery = Type.Object({
  ...PageQuery.properties,
  from: Type.Optional(IsoDateTime),
  to: Type.Optional(IsoDateTime),
  service: Type.Optional(ServiceName),
  actorId: Type.Optional(Str(200, 1)),
  action: Type.Optional(Str(100, 1)),
  resourceType: Type.Optional(Str(100, 1)),
  resourceId: Type.Optional(Str(300, 1)),
  outcome: Type.Optional(Type.Union([Type.Literal('success'), Type.Literal('denied'), Type.Literal('failed')])),
  traceId: Type.Optional(Str(128, 1))
}, { additionalProperties: false })
export const AuditPage = Page(AuditEventSchema)

export const AuditRowParams = Type.Object({ service: ServiceName, seq: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }) }, { additionalProperties: false })

export const VerifyAuditBody = Type.Object({
  service: Type.Optional(ServiceName),
  fromSeq: Type.Optional(Type.Integer({ minimum: 1 }))
}, { additionalProperties: false })

export const VerifyAuditReply = Type.Object({
  results: Type.Array(Type.Object({
    service: Type.String(),
    ok: Type.Boolean(),
    checked: Type.Integer(),
    headSeq: Type.Integer(),
    headHash: Type.String(),
    checkpointOk: Type.Boolean(),
    firstBadSeq: Type.Optional(Type.Integer()),
    reason: Type.Optional(Type.Union([Type.Literal('hash_mismatch'), Type.Literal('gap'), Type.Literal('truncated')]))
  }, { additionalProperties: false }))
}, { additionalProperties: false })

export const CheckpointPage = Page(Type.Object({
  service: Type.String(), seq: Type.Integer(), hash: Type.String(), signedAt: IsoDateTime, signature: Type.String()
}, { additionalProperties: false }))
