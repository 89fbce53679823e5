// One pool per service, bound to the service's own schema: every unqualified name resolves there,
// and the runtime role has no rights anywhere else (infra/postgres/init, provision.ts).
import pg from 'pg'

export type Pool = pg.Pool
export type PoolClient = pg.PoolClient
export type Queryable = Pick<pg.Pool, 'query'> | Pick<pg.PoolClient, 'query'>

export interface PoolOptions {
  connectionString: string
  schema: string
  applicationName: string
  max?: number
  statementTimeoutMs?: number
  /** a pool error (a dropped idle connection) is logged, never thrown: pg would crash the process */
  onError?: (err: Error) => void
}

export function createPool (opts: PoolOptions): Pool {
  const pool = new pg.Pool({
    connectionString: opts.connectionString,
    application_name: opts.applicationName,
    max: opts.max ?? 10,
    connectionTimeoutMillis: 3000,
    idleTimeoutMillis: 30_000,
    statement_timeout: opts.statementTimeoutMs ?? 15_000,
    // search_path is set by the startup packet, so no connection ever runs a query outside the schema
    options: `-c search_path=${quoteIdent(opts.schema)}`
  })
  pool.on('error', (err) => opts.onError?.(err))
  return pool
}

export const quoteIdent = (name: string) => '"' + name.replaceAll('"', '""') + '"'

/**
 * Runs `fn` in one transaction on one client and always releases it. Nothing slow belongs inside:
 * no HTTP, hashing or Redis between BEGIN and COMMIT (CONVENTIONS §3.8).
 */
export async function withTransaction<T> (pool: Pool, fn: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect()
  try {
    await client.query('BEGIN')
    const result = await fn(client)
    await client.query('COMMIT')
    return result
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {})
    throw err
  } finally {
    client.release()
  }
}
