// The keys module of auth (SPEC §2.3). createApp wires it:
//   const apiKeys = createApiKeyVerifier({ pool: () => app.db, pepper: readKeyFile(config.ROBBIE_APIKEY_PEPPER_FILE), recordFailure: keyCheckAuditor(() => app) })
//   const app = await createService({ …, deps: { verifyApiKey: apiKeys.verifyApiKey, ...deps } })
//   await app.register(keysModule, { config })
//   await app.register(internalKeysModule, { config, verifier: apiKeys })
export { keysModule, type KeysModuleOptions } from './keys.routes.js'
export { internalKeysModule, type InternalKeysModuleOptions } from './internal.routes.js'
export { createApiKeyVerifier, checkKeyFormat, keyCheckAuditor, type ApiKeyVerifier, type KeyCheck, type VerifiedKey } from './verifier.js'
export { revokeUserKeys, createUserKeysRevoker } from './user-keys.js'
export { insertServiceKeyHmacs, type ServiceKeyFile } from './service-keys.js'
export { keysConfigProperties, readKeyFile, keyHmac, type KeysConfig } from './keys.config.js'
export { revokedSetKey, revokedHintChannel } from './revocation.js'
