// secrets's environment: the kit's variables (see @robbie/service-kit config.ts) plus its own, each commented.
// The master key comes from a file or the environment, never both (SPEC §5.2); a missing key is not a config
// error but a sealed service (the keyring decides), so every key variable is optional here.
import { Type, type Static } from 'typebox'
import { defineConfig } from '@robbie/service-kit'

const path = Type.Optional(Type.String({ minLength: 1, maxLength: 4096 }))
const keyText = Type.Optional(Type.String({ minLength: 1, maxLength: 200 }))

export const configSchema = defineConfig({
  /** file holding the master key (base64 of 32 bytes); local runs get one from the bootstrap step */
  ROBBIE_SECRETS_MASTER_KEY_FILE: path,
  /** the master key itself (base64 of 32 bytes); setting it and the _FILE variant is a config error */
  ROBBIE_SECRETS_MASTER_KEY: keyText,
  /** while rotating: file holding the previous master key */
  ROBBIE_SECRETS_MASTER_KEY_PREVIOUS_FILE: path,
  /** while rotating: the previous master key itself */
  ROBBIE_SECRETS_MASTER_KEY_PREVIOUS: keyText
})
export type Config = Static<typeof configSchema>
