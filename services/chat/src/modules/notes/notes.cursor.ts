// The opaque `cursor` of the notes list (SPEC §0.1): the last id of the page when listing newest first, the
// next offset when listing by rank (a search). Anything else a client sends back is a 400, never a 500.
import { genericError } from '@robbie/service-kit'

const MAX_OFFSET = 10_000
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

export const encodeCursor = (c: { id: string } | { o: number }): string => Buffer.from(JSON.stringify(c)).toString('base64url')

export function decodeCursor (cursor: string, ranked: boolean): { beforeId: string } | { offset: number } {
  let c: unknown
  try { c = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) } catch { c = null }
  const o = (c as { o?: unknown } | null)?.o
  const id = (c as { id?: unknown } | null)?.id
  if (ranked && Number.isInteger(o) && (o as number) > 0 && (o as number) <= MAX_OFFSET) return { offset: o as number }
  if (!ranked && typeof id === 'string' && UUID_RE.test(id)) return { beforeId: id }
  throw genericError('chat', 'VALIDATION_FAILED', 'The cursor is not valid for this list', { details: [{ path: 'querystring/cursor', rule: 'cursor' }] })
}
