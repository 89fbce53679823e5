// The auth process: validate config, build the app, listen, close gracefully on a signal.
import { runService } from '@robbie/service-kit'
import { configSchema } from './config.js'
import { createApp } from './app.js'

await runService('auth', configSchema, createApp)
