// The migration sources of a service schema, in order: the bus's tables, the kit's, then the service's own.
// Its own entry point (`@robbie/service-kit/migrations`) so scripts can import it without loading Fastify.
import { join } from 'node:path'
import { busMigrationsDir } from '@robbie/bus'
import type { MigrationSource } from '@robbie/db'

export const kitMigrationsDir = join(import.meta.dirname, '..', 'migrations')

export const migrationSources = (serviceDir: string): MigrationSource[] => [
  { name: 'bus', dir: busMigrationsDir },
  { name: 'kit', dir: kitMigrationsDir },
  { name: 'service', dir: join(serviceDir, 'migrations') }
]
