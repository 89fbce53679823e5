// Creates the fleet's database, its schemas and roles, and runs every service's migrations.
// Used by `npm start`, `npm test` (for the template database) and operators; idempotent.
//   env: ROBBIE_ADMIN_DATABASE_URL (a role that may create databases and roles), ROBBIE_DB_NAME, ROBBIE_RUN_DIR
import { join } from 'node:path'
import { SERVICES } from '@robbie/contracts'
import { createDatabase, migrate, ownerRoleName, provisionSchemas, schemaName } from '@robbie/db'
import { migrationSources } from '@robbie/service-kit/migrations'
import { roleUrl, rolePassword } from './lib/db-roles.mjs'

const root = join(import.meta.dirname, '..')
const adminUrl = process.env.ROBBIE_ADMIN_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
const dbName = process.env.ROBBIE_DB_NAME ?? 'robbie'
const runDir = process.env.ROBBIE_RUN_DIR ?? join(root, '.run')
const quiet = process.argv.includes('--quiet')

try {
  if (await createDatabase(adminUrl, dbName)) console.log(`created database ${dbName}`)
  await provisionSchemas({ adminUrl, dbName, services: SERVICES, passwordFor: (role) => rolePassword(runDir, role) })
  for (const service of SERVICES) {
    const { applied } = await migrate({
      connectionString: roleUrl(adminUrl, dbName, ownerRoleName(service), runDir),
      schema: schemaName(service),
      sources: migrationSources(join(root, 'services', service))
    })
    if (!quiet && applied.length > 0) console.log(`${service}: applied ${applied.join(', ')}`)
  }
} catch (err) {
  console.error(`database set-up failed: ${(err as Error).message}`)
  process.exit(1)
}
