// What the global setup hands every test file (vitest provide/inject): the run's template database,
// the servers to use and the key files of a test fleet.
import { inject } from 'vitest'

export interface RobbieTestEnv {
  run: string
  adminUrl: string
  redisUrl: string
  template: string
  /** the run dir whose db-secret gives the roles' passwords */
  runDir: string
  /** the run's key files (scripts/bootstrap.ts): jwt-signing.json, apikey-pepper, audit keys, svc-<service>.key */
  keysDir: string
  jwtKeysFile: string
  serviceKeyFile: string
}

declare module 'vitest' {
  export interface ProvidedContext { robbieTest: RobbieTestEnv }
}

export const testEnv = (): RobbieTestEnv => inject('robbieTest')
