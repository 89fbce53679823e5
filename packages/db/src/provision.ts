// Creates a fleet's database, and per service a schema with its two roles (SPEC §11.6):
// robbie_<svc>_owner owns the schema and runs migrations; robbie_<svc> may only use rows in it.
// Roles are cluster-wide and shared by every fleet on the server, so every step tolerates a concurrent run.
import pg from 'pg'
import { quoteIdent } from './pool.js'

export const schemaName = (service: string) => service.replaceAll('-', '_')
export const ownerRoleName = (service: string) => `robbie_${schemaName(service)}_owner`
export const runtimeRoleName = (service: string) => `robbie_${schemaName(service)}`

const DB_NAME_RE = /^[a-z_][a-z0-9_]{0,62}$/

export function databaseUrl (serverUrl: string, dbName: string): string {
  const url = new URL(serverUrl)
  url.pathname = '/' + dbName
  return url.toString()
}

export async function createDatabase (adminUrl: string, dbName: string, template?: string): Promise<boolean> {
  if (!DB_NAME_RE.test(dbName) || (template !== undefined && !DB_NAME_RE.test(template))) throw new Error(`invalid database name ${dbName}`)
  const client = new pg.Client({ connectionString: databaseUrl(adminUrl, 'postgres') })
  await client.connect()
  try {
    await client.query(`CREATE DATABASE ${quoteIdent(dbName)}${template ? ` TEMPLATE ${quoteIdent(template)}` : ''}`)
    return true
  } catch (err) {
    if ((err as { code?: string }).code === '42P04') return false // duplicate_database: a concurrent or earlier run made it
    throw err
  } finally {
    await client.end()
  }
}

export async function dropDatabase (adminUrl: string, dbName: string): Promise<void> {
  if (!DB_NAME_RE.test(dbName)) throw new Error(`invalid database name ${dbName}`)
  const client = new pg.Client({ connectionString: databaseUrl(adminUrl, 'postgres') })
  await client.connect()
  try {
    await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(dbName)} WITH (FORCE)`)
  } finally {
    await client.end()
  }
}

const literal = (value: string) => "'" + value.replaceAll("'", "''") + "'"

export async function provisionSchemas (opts: {
  adminUrl: string
  dbName: string
  services: readonly string[]
  passwordFor: (role: string) => string
}): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl(opts.adminUrl, opts.dbName) })
  await client.connect()
  try {
    for (const service of opts.services) {
      const schema = quoteIdent(schemaName(service))
      const owner = ownerRoleName(service)
      const runtime = runtimeRoleName(service)
      for (const role of [owner, runtime]) {
        await client.query(`DO $$ BEGIN CREATE ROLE ${quoteIdent(role)} LOGIN;
          EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$`)
        await client.query(`ALTER ROLE ${quoteIdent(role)} WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD ${literal(opts.passwordFor(role))}`)
        await client.query(`GRANT CONNECT ON DATABASE ${quoteIdent(opts.dbName)} TO ${quoteIdent(role)}`)
      }
      await client.query(`DO $$ BEGIN CREATE SCHEMA IF NOT EXISTS ${schema} AUTHORIZATION ${quoteIdent(owner)};
        EXCEPTION WHEN duplicate_schema OR unique_violation THEN NULL; END $$`)
      await client.query(`ALTER SCHEMA ${schema} OWNER TO ${quoteIdent(owner)}`)
      await client.query(`GRANT USAGE ON SCHEMA ${schema} TO ${quoteIdent(runtime)}`)
      // Rows only: the runtime role can never create, alter or drop anything.
      await client.query(`ALTER DEFAULT PRIVILEGES FOR ROLE ${quoteIdent(owner)} IN SCHEMA ${schema}
        GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${quoteIdent(runtime)}`)
      await client.query(`ALTER DEFAULT PRIVILEGES FOR ROLE ${quoteIdent(owner)} IN SCHEMA ${schema}
        GRANT USAGE, SELECT ON SEQUENCES TO ${quoteIdent(runtime)}`)
    }
    // Nobody but the schema owners may create objects anywhere (Postgres 15 already does this for public).
    await client.query('REVOKE CREATE ON SCHEMA public FROM PUBLIC')
  } finally {
    await client.end()
  }
}
