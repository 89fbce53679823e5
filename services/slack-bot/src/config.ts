// slack-bot's environment: the kit's variables (see @robbie/service-kit config.ts) plus its own, each commented.
import type { Static } from 'typebox'
import { defineConfig } from '@robbie/service-kit'

export const configSchema = defineConfig({})
export type Config = Static<typeof configSchema>
