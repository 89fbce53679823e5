// auth's environment: the kit's variables (see @robbie/service-kit config.ts) plus its own, each commented.
import { Type, type Static } from 'typebox'
import { defineConfig } from '@robbie/service-kit'
import { keysConfigProperties } from './modules/keys/index.js'
import { auditConfigProperties } from './modules/audit/index.js'

export const configSchema = defineConfig({
  ...keysConfigProperties, // ROBBIE_APIKEY_PEPPER_FILE (B2's keys module)
  ...auditConfigProperties, // ROBBIE_AUDIT_CHECKPOINT_KEY_FILE, ROBBIE_<SERVICE>_URL (B2's audit viewer)
  /** where the one-time setup code is also written (mode 0600) while no owner exists; npm start sets <runDir>/setup-code */
  ROBBIE_SETUP_CODE_FILE: Type.Optional(Type.String({ minLength: 1, maxLength: 4096 }))
})
export type Config = Static<typeof configSchema>
