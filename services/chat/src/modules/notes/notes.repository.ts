// SQL of the notes table (SPEC §3.8). Visibility lives here, in every WHERE: a user reads their own notes and
// the company's, never an expired one. Every method takes an optional client, passed inside transactions.
import type { Queryable } from '@robbie/db'
import type { Author, Category, NoteVisibility, SourceRef } from './notes.schemas.js'

export interface NoteFields {
  title: string
  content: string
  category: Category
  visibility: NoteVisibility
  locked: boolean
  tags: string[]
  sourceRef: SourceRef | null
  expiresAt: Date | null
}
export interface NoteRow extends NoteFields { id: string, userId: string, author: Author, createdAt: Date, updatedAt: Date }

interface ListFilter {
  userId: string
  at: Date
  category?: Category
  author?: Author
  /** websearch syntax ("quoted phrases", -not, or) over title and content, ranked */
  q?: string
  limit: number
  /** keyset page (newest first) without q; offset page (by rank) with q */
  beforeId?: string
  offset?: number
}

const COLUMNS = 'n.id, n.user_id, n.title, n.content, n.category, n.author, n.visibility, n.locked, n.tags, n.source_ref, n.expires_at, n.created_at, n.updated_at'
const toRow = (r: Record<string, unknown>): NoteRow => ({
  id: r.id as string,
  userId: r.user_id as string,
  title: r.title as string,
  content: r.content as string,
  category: r.category as Category,
  author: r.author as Author,
  visibility: r.visibility as NoteVisibility,
  locked: r.locked as boolean,
  tags: r.tags as string[],
  sourceRef: r.source_ref as SourceRef | null,
  expiresAt: r.expires_at as Date | null,
  createdAt: r.created_at as Date,
  updatedAt: r.updated_at as Date
})
/** $1 = the reader, $2 = now */
const VISIBLE = "(n.user_id = $1 OR n.visibility = 'company') AND (n.expires_at IS NULL OR n.expires_at > $2)"

export function createNotesRepository (pool: Queryable) {
  const q = (client?: Queryable) => client ?? pool
  return {
    async insert (n: Omit<NoteRow, 'createdAt' | 'updatedAt'>, at: Date, client?: Queryable): Promise<NoteRow> {
      const { rows } = await q(client).query(`INSERT INTO notes AS n (id, user_id, title, content, category, author, visibility, locked, tags, source_ref,
          expires_at, created_at, updated_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) RETURNING ${COLUMNS}`,
      [n.id, n.userId, n.title, n.content, n.category, n.author, n.visibility, n.locked, n.tags, n.sourceRef && JSON.stringify(n.sourceRef), n.expiresAt, at])
      return toRow(rows[0]!)
    },
    async findVisible (id: string, userId: string, at: Date, client?: Queryable, lock = false): Promise<NoteRow | null> {
      const { rows } = await q(client).query(`SELECT ${COLUMNS} FROM notes n WHERE ${VISIBLE} AND n.id = $3${lock ? ' FOR UPDATE' : ''}`, [userId, at, id])
      return rows[0] ? toRow(rows[0]) : null
    },
    /** Up to limit + 1 rows, so the caller knows whether there is a next page. */
    async list (f: ListFilter, client?: Queryable): Promise<NoteRow[]> {
      const params: unknown[] = [f.userId, f.at]
      const where = [VISIBLE]
      const add = (sql: string, value: unknown) => { params.push(value); where.push(sql.replaceAll('?', `$${params.length}`)) }
      if (f.category) add('n.category = ?', f.category)
      if (f.author) add('n.author = ?', f.author)
      let order = 'n.id DESC'
      if (f.q !== undefined) {
        add("n.tsv @@ websearch_to_tsquery('english', ?)", f.q)
        order = `ts_rank(n.tsv, websearch_to_tsquery('english', $${params.length})) DESC, n.id DESC`
      }
      if (f.beforeId) add('n.id < ?', f.beforeId)
      params.push(f.limit + 1, f.offset ?? 0)
      const { rows } = await q(client).query(`SELECT ${COLUMNS} FROM notes n WHERE ${where.join(' AND ')}
        ORDER BY ${order} LIMIT $${params.length - 1} OFFSET $${params.length}`, params)
      return rows.map(toRow)
    },
    /** Notes matching any of the words (an OR query in to_tsquery syntax), best first. */
    async matching (userId: string, at: Date, orQuery: string, limit: number, client?: Queryable): Promise<NoteRow[]> {
      const { rows } = await q(client).query(`SELECT ${COLUMNS} FROM notes n, to_tsquery('english', $3) query
        WHERE ${VISIBLE} AND n.tsv @@ query ORDER BY ts_rank(n.tsv, query) DESC, n.id DESC LIMIT $4`, [userId, at, orQuery, limit])
      return rows.map(toRow)
    },
    async update (id: string, n: NoteFields, at: Date, client?: Queryable): Promise<NoteRow> {
      const { rows } = await q(client).query(`UPDATE notes AS n SET title = $2, content = $3, category = $4, visibility = $5, locked = $6, tags = $7,
          source_ref = $8, expires_at = $9, updated_at = $10
        WHERE n.id = $1 RETURNING ${COLUMNS}`,
      [id, n.title, n.content, n.category, n.visibility, n.locked, n.tags, n.sourceRef && JSON.stringify(n.sourceRef), n.expiresAt, at])
      return toRow(rows[0]!)
    },
    async remove (id: string, client?: Queryable): Promise<void> {
      await q(client).query('DELETE FROM notes WHERE id = $1', [id])
    },
    /** Notes that expired before `before`, gone for good. */
    async purgeExpired (before: Date, client?: Queryable): Promise<number> {
      const { rowCount } = await q(client).query('DELETE FROM notes WHERE expires_at < $1', [before])
      return rowCount ?? 0
    }
  }
}
export type NotesRepository = ReturnType<typeof createNotesRepository>
