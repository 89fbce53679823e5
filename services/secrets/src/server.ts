// The secrets process: validate config, build the app, listen, close gracefully on a signal. A master key
// given both as a file and as a value is a configuration error (exit 78), like any other bad variable.
import { ConfigError, runService } from '@robbie/service-kit'
import { configSchema } from './config.js'
import { createApp } from './app.js'

await runService('secrets', configSchema, async (config) => {
  try {
    return await createApp(config)
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err
    process.stderr.write(`secrets: ${err.message}\n`)
    process.exit(78)
  }
})
