// The composition root of gpu-coordinator: the kit, then this service's own modules (none yet: they arrive with
// the issue that builds this service's features).
import { join } from 'node:path'
import { createService, type ServiceDeps } from '@robbie/service-kit'
import type { Config } from './config.js'

export const serviceDir = join(import.meta.dirname, '..')

export async function createApp (config: Config, deps: ServiceDeps = {}) {
  const app = await createService({ name: 'gpu-coordinator', config, serviceDir, deps })
  return app
}
