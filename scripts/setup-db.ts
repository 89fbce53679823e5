// Creates the fleet's database, its schemas and roles, and runs every service's migrations.
// Used by `npm start`, `npm test` (for the template database) and operators; idempotent.
//   env: ROBBIE_ADMIN_DATABASE_URL (a role that may create databases and roles), ROBBIE_DB_NAME, ROBBIE_RUN_DIR
import { join } from 'node:path'
import { SERVICES } from '@robbie/contracts'
import { createDatabase, databaseUrl, migrate, ownerRoleName, provisionSchemas, schemaName } from '@robbie/db'
import { migrationSources } from '@robbie/service-kit/migrations'
import { rolePassword } from './lib/db-roles.mjs'

const root = join(import.meta.dirname, '..')
const adminUrl = process.env.ROBBIE_ADMIN_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
const dbName = process.env.ROBBIE_DB_NAME ?? 'robbie'
const runDir = process.env.ROBBIE_RUN_DIR ?? join(root, '.run')
const quiet = process.argv.includes('--quiet')

// Production passes each role's password in the environment (the same variables infra/postgres/init reads:
// ROBBIE_DB_OWNER_PASSWORD_<SCHEMA>, ROBBIE_DB_PASSWORD_<SCHEMA>); local fleets derive them from the run dir.
function passwordFor (role: string): string {
  const match = /^robbie_(.+?)(_owner)?$/.exec(role)
  const upper = (match?.[1] ?? '').toUpperCase()
  const fromEnv = process.env[match?.[2] ? `ROBBIE_DB_OWNER_PASSWORD_${upper}` : `ROBBIE_DB_PASSWORD_${upper}`]
  return fromEnv ?? rolePassword(runDir, role)
}
function roleUrl (role: string): string {
  const url = new URL(databaseUrl(adminUrl, dbName))
  url.username = role
  url.password = passwordFor(role)
  return url.toString()
}

try {
  if (await createDatabase(adminUrl, dbName)) console.log(`created database ${dbName}`)
  // Roles and default privileges are cluster-wide catalog rows: two set-ups at the same moment (two fleets, a
  // test run beside a start) can collide with "tuple concurrently updated". The steps are idempotent: retry.
  for (let attempt = 1; ; attempt++) {
    try {
      await provisionSchemas({ adminUrl, dbName, services: SERVICES, passwordFor })
      break
    } catch (err) {
      if (attempt >= 5 || !/concurrently|deadlock/i.test((err as Error).message)) throw err
      await new Promise((resolve) => setTimeout(resolve, 200 * attempt))
    }
  }
  for (const service of SERVICES) {
    const { applied } = await migrate({
      connectionString: roleUrl(ownerRoleName(service)),
      schema: schemaName(service),
      sources: migrationSources(join(root, 'services', service))
    })
    if (!quiet && applied.length > 0) console.log(`${service}: applied ${applied.join(', ')}`)
  }
} catch (err) {
  console.error(`database set-up failed: ${(err as Error).message}`)
  process.exit(1)
}
