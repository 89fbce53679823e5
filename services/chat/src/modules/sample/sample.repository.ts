// SQL of chat's sample data (SPEC §11.6): which sample rows exist, marking new rows as sample, and removing them.
// The notes and the conversation themselves are written by their own modules; this only reads and flips `sample`.
import type { Pool, Queryable } from '@robbie/db'

export interface SampleCounts { notes: number, conversations: number }

export function createSampleRepository (pool: Pool) {
  const q = (client?: Queryable) => client ?? pool
  return {
    /**
     * Runs `fn` holding a session advisory lock for the owner, so two loads at once (a double click in the
     * wizard) load once. The lock lives on a connection of its own: the writes in `fn` use other connections.
     */
    async withOwnerLock<T> (ownerUserId: string, fn: () => Promise<T>): Promise<T> {
      const key = `chat:sample-data:${ownerUserId}`
      const client = await pool.connect()
      let broken: Error | undefined
      try {
        await client.query('SELECT pg_advisory_lock(hashtext($1))', [key])
        try {
          return await fn()
        } finally {
          // a connection that cannot unlock is destroyed instead, which frees its locks too
          await client.query('SELECT pg_advisory_unlock(hashtext($1))', [key]).catch((err: Error) => { broken = err })
        }
      } finally {
        client.release(broken)
      }
    },

    async noteTitles (ownerUserId: string): Promise<Set<string>> {
      const { rows } = await pool.query('SELECT title FROM notes WHERE sample AND user_id = $1', [ownerUserId])
      return new Set(rows.map((r: { title: string }) => r.title))
    },

    async markNote (id: string, client?: Queryable): Promise<void> {
      await q(client).query('UPDATE notes SET sample = true WHERE id = $1', [id])
    },

    /** A sample conversation the owner still sees (one they deleted does not count: loading again brings it back). */
    async hasConversation (ownerUserId: string): Promise<boolean> {
      const { rows } = await pool.query("SELECT 1 FROM conversations WHERE sample AND user_id = $1 AND status <> 'deleted' LIMIT 1", [ownerUserId])
      return rows.length > 0
    },

    async markConversation (id: string, client?: Queryable): Promise<void> {
      await q(client).query('UPDATE conversations SET sample = true WHERE id = $1', [id])
    },

    async counts (ownerUserId: string): Promise<SampleCounts> {
      const { rows } = await pool.query(`SELECT
        (SELECT count(*) FROM notes WHERE sample AND user_id = $1)::int AS notes,
        (SELECT count(*) FROM conversations WHERE sample AND user_id = $1 AND status <> 'deleted')::int AS conversations`, [ownerUserId])
      return { notes: rows[0].notes as number, conversations: rows[0].conversations as number }
    },

    /** Every sample row, whoever owned the company when it was loaded; messages go with their conversation (CASCADE). */
    async removeAll (client?: Queryable): Promise<void> {
      await q(client).query('DELETE FROM notes WHERE sample')
      await q(client).query('DELETE FROM conversations WHERE sample')
    }
  }
}
export type SampleRepository = ReturnType<typeof createSampleRepository>
