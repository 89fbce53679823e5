// The composition root of secrets: the kit, the keyring (sealed → 503), then the secrets module's routes.
import { join } from 'node:path'
import { createHints } from '@robbie/bus'
import { createService, type ServiceDeps } from '@robbie/service-kit'
import type { Config } from './config.js'
import { createKeyring, keyring, loadKeyMaterial, type Keyring } from './plugins/keyring.js'
import { createSecretsRepository } from './modules/secrets/secrets.repository.js'
import { createSecretsCache } from './modules/secrets/secrets.cache.js'
import { createSecretsService } from './modules/secrets/secrets.service.js'
import { createMasterKeyService } from './modules/secrets/master-key.service.js'
import { secretsRoutes } from './modules/secrets/secrets.routes.js'
import { sealRoutes } from './modules/secrets/seal.routes.js'
import { internalRoutes } from './modules/secrets/internal.routes.js'
import { sampleRoutes } from './modules/secrets/sample.routes.js'
import { registerRotationDue } from './modules/rotation-due/rotation-due.job.js'

export const serviceDir = join(import.meta.dirname, '..')

export async function createApp (config: Config, deps: ServiceDeps = {}) {
  // read first: both a key file and a key value set is a config error before anything is opened
  const material = loadKeyMaterial(config)
  // the readiness check is handed to createService before the keyring (which needs app.db) exists
  const sealState: { ring?: Keyring } = {}
  const app = await createService({
    name: 'secrets',
    config,
    serviceDir,
    deps,
    readiness: {
      seal: async () => {
        if (!sealState.ring) return { ok: false, detail: 'starting' }
        await sealState.ring.ensureLoaded()
        // public: says sealed, not why (seal-status tells signed-in users the reason)
        return sealState.ring.sealed ? { ok: false, detail: 'sealed' } : { ok: true }
      }
    }
  })
  const ring = createKeyring({ pool: app.db, material, log: app.log })
  sealState.ring = ring
  await app.register(keyring, { keyring: ring })

  const repo = createSecretsRepository(app.db)
  const hints = createHints({ redis: app.redis })
  const cache = createSecretsCache({ redis: app.redis, hints })
  const secrets = createSecretsService({ pool: app.db, repo, keyring: ring, outbox: app.outbox, audit: app.audit, cache })
  const masterKey = createMasterKeyService({ pool: app.db, keyring: ring, repo, audit: app.audit, outbox: app.outbox, jobs: app.jobs, log: app.log })
  app.jobs.schedule({ name: 'purge-deleted-secrets', everyMs: 3_600_000, run: async () => await secrets.purgeDeleted() })

  await app.register(secretsRoutes, { prefix: '/api/secrets', service: secrets })
  await app.register(sealRoutes, { prefix: '/api/secrets', service: masterKey })
  await app.register(internalRoutes, { prefix: '/internal/secrets', service: secrets })
  await app.register(sampleRoutes, { service: secrets })

  app.addHook('onReady', async () => {
    await cache.start().catch((err: unknown) => { app.log.warn({ err }, 'secrets-changed hints not subscribed') })
  })
  app.addHook('preClose', async () => { await masterKey.stop() })
  app.addHook('onClose', async () => { await cache.stop().catch(() => {}); await hints.close() })
  registerRotationDue(app)
  return app
}
