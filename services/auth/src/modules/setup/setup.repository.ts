// SQL for the one-time setup codes (SPEC §2.1): only the SHA-256 is stored.
import type { Queryable } from '@robbie/db'

export function createSetupRepository (pool: Queryable) {
  return {
    async insertCode (row: { id: string, codeHash: Buffer, now: Date, expiresAt: Date }, client: Queryable = pool): Promise<void> {
      await client.query('INSERT INTO setup_codes (id, code_hash, created_at, expires_at) VALUES ($1, $2, $3, $4)', [row.id, row.codeHash, row.now, row.expiresAt])
    },
    /** Renewal on restart: the codes printed before stop working. */
    async deleteUnused (client: Queryable = pool): Promise<void> {
      await client.query('DELETE FROM setup_codes WHERE used_at IS NULL')
    },
    async isValid (codeHash: Buffer, now: Date, client: Queryable = pool): Promise<boolean> {
      const { rowCount } = await client.query('SELECT 1 FROM setup_codes WHERE code_hash = $1 AND used_at IS NULL AND expires_at > $2', [codeHash, now])
      return (rowCount ?? 0) === 1
    },
    /** Marks a valid code used → true when it was valid (one use only, even under concurrency). */
    async useCode (codeHash: Buffer, now: Date, client: Queryable = pool): Promise<boolean> {
      const result = await client.query('UPDATE setup_codes SET used_at = $2 WHERE code_hash = $1 AND used_at IS NULL AND expires_at > $2', [codeHash, now])
      return (result.rowCount ?? 0) === 1
    }
  }
}
export type SetupRepository = ReturnType<typeof createSetupRepository>
