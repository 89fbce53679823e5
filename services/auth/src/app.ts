// The composition root of auth: the kit, then sessions, users, company, killswitch, setup (this file) and
// B2's keys and audit modules.
import { join } from 'node:path'
import { createService, type ServiceDeps } from '@robbie/service-kit'
import { createHints } from '@robbie/bus'
import type { Config } from './config.js'
import { createTokenSigner, useTokenSigner } from './tokens/index.js'
import { jwksRoutes } from './tokens/jwks.routes.js'
import type { Audit } from './modules/sessions/audit.js'
import { createDenylist } from './modules/sessions/denylist.js'
import { createSessionsRepository } from './modules/sessions/sessions.repository.js'
import { createSessionsService } from './modules/sessions/sessions.service.js'
import { sessionsRoutes } from './modules/sessions/sessions.routes.js'
import { createUsersRepository } from './modules/users/users.repository.js'
import { createUsersService } from './modules/users/users.service.js'
import { internalUsersRoutes, usersRoutes } from './modules/users/users.routes.js'
import { createCompanyRepository } from './modules/company/company.repository.js'
import { createCompanyService } from './modules/company/company.service.js'
import { companyRoutes, internalCompanyRoutes } from './modules/company/company.routes.js'
import { createKillswitchRepository } from './modules/killswitch/killswitch.repository.js'
import { createKillswitchService } from './modules/killswitch/killswitch.service.js'
import { killswitchRoutes } from './modules/killswitch/killswitch.routes.js'
import { createSetupRepository } from './modules/setup/setup.repository.js'
import { createSetupService } from './modules/setup/setup.service.js'
import { setupRoutes } from './modules/setup/setup.routes.js'
import { createApiKeyVerifier, createUserKeysRevoker, internalKeysModule, keyCheckAuditor, keysModule, readKeyFile } from './modules/keys/index.js'
import { auditModule } from './modules/audit/index.js'
import { sampleDataRoutes } from './modules/sample/sample.routes.js'

export const serviceDir = join(import.meta.dirname, '..')

export interface AppDeps extends ServiceDeps {
  /** the time every expiry, lockout and grace window is measured against; tests move it */
  clock?: () => Date
  /** where the setup code's console line goes (default stdout) */
  print?: (line: string) => void
}

export async function createApp (config: Config, deps: AppDeps = {}) {
  // auth checks API keys in-process (never over HTTP to itself); the getters resolve once the app exists
  const apiKeys = createApiKeyVerifier({ pool: () => app.db, pepper: readKeyFile(config.ROBBIE_APIKEY_PEPPER_FILE), recordFailure: keyCheckAuditor(() => app) })
  const app = await createService({ name: 'auth', config, serviceDir, deps: { verifyApiKey: apiKeys.verifyApiKey, ...deps } })
  const clock = deps.clock ?? (() => new Date())
  const pool = app.db
  const audit: Audit = app.audit
  const signer = createTokenSigner({ keysFile: config.ROBBIE_JWT_KEYS_FILE, clock })
  useTokenSigner(signer)
  const denylist = createDenylist(app.redis, app.log)
  const users = createUsersRepository(pool)
  const sessions = createSessionsRepository(pool)
  const company = createCompanyRepository(pool)

  const sessionsService = createSessionsService({ pool, users, sessions, audit, outbox: app.outbox, signer, denylist, clock })
  // B2's keys module revokes a disabled user's API keys: see UsersDeps.revokeUserKeys
  const usersService = createUsersService({ pool, users, sessions, sessionsService, audit, outbox: app.outbox, denylist, clock, revokeUserKeys: createUserKeysRevoker({ pool, redis: app.redis, log: app.log }) })
  const companyService = createCompanyService({ pool, repo: company, audit, outbox: app.outbox, clock })
  const hints = createHints({ redis: app.redis })
  const killswitch = createKillswitchService({ pool, repo: createKillswitchRepository(pool), redis: app.redis, hints, audit, outbox: app.outbox, clock, log: app.log })
  const setup = createSetupService({ pool, repo: createSetupRepository(pool), users, usersService, sessionsService, company, audit, outbox: app.outbox, clock })

  await app.register(jwksRoutes, { prefix: '/api/auth', signer })
  await app.register(sessionsRoutes, { prefix: '/api/auth', service: sessionsService })
  await app.register(usersRoutes, { prefix: '/api/auth', service: usersService })
  await app.register(companyRoutes, { prefix: '/api/auth', service: companyService })
  await app.register(killswitchRoutes, { prefix: '/api/auth', service: killswitch })
  await app.register(setupRoutes, { prefix: '/api/auth', service: setup })
  await app.register(internalUsersRoutes, { prefix: '/internal/auth', service: usersService })
  await app.register(internalCompanyRoutes, { prefix: '/internal/auth', service: companyService })
  await app.register(keysModule, { config })
  await app.register(internalKeysModule, { config, verifier: apiKeys })
  await app.register(auditModule, { config })
  await app.register(sampleDataRoutes, { prefix: '/api/auth', config, serviceKeyFile: config.ROBBIE_SERVICE_KEY_FILE })

  const print = deps.print ?? ((line: string) => { process.stdout.write(`${line}\n`) })
  app.addHook('onReady', async () => {
    await killswitch.syncMirror()
    // While no owner exists, a fresh one-time setup code (SPEC §2.1): on the console as a plain line, and in a file.
    const code = await setup.renewCode(config.ROBBIE_SETUP_CODE_FILE).catch((err: unknown) => {
      app.log.warn({ err }, 'setup code not made')
      return null
    })
    if (code) print(`Robbie setup code (valid 24 h, for the first-run wizard): ${code}`)
  })
  app.addHook('onClose', async () => { await hints.close() })
  return app
}
