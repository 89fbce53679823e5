// Opaque list cursors: base64url JSON of the last row's sort key. A cursor that does not decode is a 400.
import { genericError } from '@robbie/service-kit'

export const encodeCursor = (key: unknown[]) => Buffer.from(JSON.stringify(key)).toString('base64url')

export function decodeCursor<T extends unknown[]> (cursor: string | undefined, check: (v: unknown[]) => boolean): T | undefined {
  if (cursor === undefined) return undefined
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown
    if (Array.isArray(v) && check(v)) return v as T
  } catch {}
  throw genericError('chat', 'VALIDATION_FAILED', 'The cursor is not valid', { details: [{ path: 'querystring/cursor', rule: 'cursor' }] })
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
export const isUuid = (v: unknown) => typeof v === 'string' && UUID.test(v)
export const isIso = (v: unknown) => typeof v === 'string' && v.length <= 40 && !Number.isNaN(Date.parse(v))
