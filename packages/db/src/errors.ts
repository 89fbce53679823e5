// pg errors that mean something to a client, mapped to the kit's generic codes. Everything else is a 500
// with a generic message: raw pg text (constraint and column names) never reaches a reply.
export interface MappedDbError { kind: 'CONFLICT' | 'UNAVAILABLE', message: string }

const UNAVAILABLE = new Set(['57P01', '57P02', '57P03', '53300', '08000', '08003', '08006', '08001', '08004'])

export function mapDbError (err: unknown): MappedDbError | null {
  const code = (err as { code?: unknown })?.code
  if (code === '23505') return { kind: 'CONFLICT', message: 'That already exists' }
  if (code === '40001' || code === '40P01') return { kind: 'CONFLICT', message: 'A concurrent change conflicted; try again' }
  if (typeof code === 'string' && UNAVAILABLE.has(code)) return { kind: 'UNAVAILABLE', message: 'The database is unavailable' }
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'ETIMEDOUT') return { kind: 'UNAVAILABLE', message: 'The database is unavailable' }
  if (err instanceof Error && /timeout exceeded when trying to connect|Connection terminated/.test(err.message)) {
    return { kind: 'UNAVAILABLE', message: 'The database is unavailable' }
  }
  return null
}
