// Shared schema primitives. Every string is bounded: `Str(max)` is the only way to say "a string".
import { Type, type TSchema } from 'typebox'

export const Str = (maxLength: number, minLength = 0) => Type.String({ minLength, maxLength })
export const Id = Type.String({ format: 'uuid', maxLength: 36 })
export const Email = Type.String({ format: 'email', minLength: 3, maxLength: 254 })
export const IsoDateTime = Type.String({ format: 'date-time', maxLength: 40 })

/** `?limit=&cursor=` of SPEC §0.1: limit 1–200, default 50. */
export const PageQuery = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
  cursor: Type.Optional(Str(512, 1))
}, { additionalProperties: false })

/** `{ items, nextCursor }`, the one list shape (SPEC §0.1). */
export const Page = <T extends TSchema>(item: T) => Type.Object({
  items: Type.Array(item),
  nextCursor: Type.Union([Type.String(), Type.Null()])
}, { additionalProperties: false })
