// Ordered, checksummed SQL migrations per service schema, under an advisory lock.
//
// Why not postgrator (CONVENTIONS §1 suggests it): a service schema takes migrations from several
// sources (the bus's tables, later the audit chain, then the service's own), each numbered on its own,
// and the lock must be held on the very session that runs them. A 100-line runner does exactly that.
import { createHash } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import pg from 'pg'
import { quoteIdent } from './pool.js'

export interface MigrationSource { name: string, dir: string }
export interface Migration { source: string, version: number, name: string, checksum: string, sql: string }

const FILE_RE = /^(\d+)\.do\.([a-z0-9-_]+)\.sql$/

export function readMigrations (sources: MigrationSource[]): Migration[] {
  return sources.flatMap(({ name, dir }) => readdirSync(dir)
    .map((file) => ({ file, match: FILE_RE.exec(file) }))
    .filter((f): f is { file: string, match: RegExpExecArray } => f.match !== null)
    .map(({ file, match }) => {
      const sql = readFileSync(join(dir, file), 'utf8')
      return { source: name, version: Number(match[1]), name: match[2]!, checksum: createHash('sha256').update(sql).digest('hex'), sql }
    })
    .sort((a, b) => a.version - b.version))
}

export class MigrationError extends Error {}

export interface MigrateOptions {
  /** the schema owner's connection (robbie_<svc>_owner) */
  connectionString: string
  schema: string
  sources: MigrationSource[]
  log?: (msg: string) => void
}

export async function migrate (opts: MigrateOptions): Promise<{ applied: string[] }> {
  const migrations = readMigrations(opts.sources)
  const client = new pg.Client({ connectionString: opts.connectionString, application_name: `migrate:${opts.schema}` })
  await client.connect()
  const applied: string[] = []
  try {
    // Two replicas starting at once: the second waits here, then finds nothing left to do.
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [`robbie-migrate:${opts.schema}`])
    await client.query(`SET search_path TO ${quoteIdent(opts.schema)}`)
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      source text NOT NULL, version integer NOT NULL, name text NOT NULL, checksum text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (source, version))`)
    const done = await appliedMigrations(client)
    for (const m of migrations) {
      const key = `${m.source}/${m.version}`
      const prior = done.get(key)
      if (prior !== undefined) {
        if (prior !== m.checksum) throw new MigrationError(`migration ${key} (${m.name}) was edited after it ran in schema ${opts.schema}; write a new migration instead`)
        continue
      }
      await client.query('BEGIN')
      try {
        await client.query(m.sql)
        await client.query('INSERT INTO schema_migrations (source, version, name, checksum) VALUES ($1, $2, $3, $4)', [m.source, m.version, m.name, m.checksum])
        await client.query('COMMIT')
      } catch (err) {
        await client.query('ROLLBACK')
        throw new MigrationError(`migration ${key} (${m.name}) failed in schema ${opts.schema}: ${(err as Error).message}`)
      }
      applied.push(key)
      opts.log?.(`${opts.schema}: applied ${key} ${m.name}`)
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock_all()').catch(() => {})
    await client.end()
  }
  return { applied }
}

async function appliedMigrations (client: Pick<pg.Client, 'query'>): Promise<Map<string, string>> {
  const { rows } = await client.query<{ source: string, version: number, checksum: string }>('SELECT source, version, checksum FROM schema_migrations')
  return new Map(rows.map((r) => [`${r.source}/${r.version}`, r.checksum]))
}

/**
 * Readiness: is every migration on disk applied, unedited, in this schema? Runs as the runtime role,
 * which may read schema_migrations. Returns the keys that are missing or differ.
 */
export async function pendingMigrations (db: Pick<pg.Pool, 'query'>, sources: MigrationSource[]): Promise<string[]> {
  let done: Map<string, string>
  try {
    done = await appliedMigrations(db)
  } catch (err) {
    if ((err as { code?: string }).code === '42P01') return readMigrations(sources).map((m) => `${m.source}/${m.version}`)
    throw err
  }
  return readMigrations(sources).filter((m) => done.get(`${m.source}/${m.version}`) !== m.checksum).map((m) => `${m.source}/${m.version}`)
}
