// One database per test file, cloned from the run's migrated template (CONVENTIONS §4). Services connect
// as their own runtime role, so a missing grant fails a test; nothing is ever seeded or shared.
import pg from 'pg'
import { createDatabase, dropDatabase } from '@robbie/db'
import { roleUrl } from '../../../scripts/lib/db-roles.mjs'
import { testEnv } from './env.js'

let counter = 0

export interface TestDatabase {
  name: string
  adminUrl: string
  /** the runtime role's URL for a service (robbie_<svc>) */
  urlFor: (service: string) => string
  /** the schema owner's URL (robbie_<svc>_owner), for a test that makes its own tables */
  ownerUrlFor: (service: string) => string
  drop: () => Promise<void>
}

export async function cloneDatabase (): Promise<TestDatabase> {
  const env = testEnv()
  const name = `robbie_test_${env.run}_${process.pid}_${++counter}`
  // Postgres refuses to copy a template that another clone is reading at that instant: retry briefly.
  for (let attempt = 0; ; attempt++) {
    try {
      await createDatabase(env.adminUrl, name, env.template)
      break
    } catch (err) {
      if ((err as { code?: string }).code !== '55006' || attempt >= 50) throw err
      await new Promise((resolve) => setTimeout(resolve, 50 + Math.random() * 100))
    }
  }
  const url = (role: string) => roleUrl(env.adminUrl, name, role, env.runDir)
  const schemaRole = (service: string) => `robbie_${service.replaceAll('-', '_')}`
  return {
    name,
    adminUrl: new URL(`/${name}`, env.adminUrl).toString(),
    urlFor: (service) => url(schemaRole(service)),
    ownerUrlFor: (service) => url(`${schemaRole(service)}_owner`),
    drop: async () => { await dropDatabase(env.adminUrl, name) }
  }
}

/** A query as the superuser on a test database: only for assertions about roles and grants. */
export async function adminQuery<R extends pg.QueryResultRow> (db: TestDatabase, sql: string, params: unknown[] = []): Promise<pg.QueryResult<R>> {
  const client = new pg.Client({ connectionString: db.adminUrl })
  await client.connect()
  try { return await client.query<R>(sql, params) } finally { await client.end() }
}
