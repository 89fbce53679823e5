// The gpu-coordinator process: validate config, build the app, listen, close gracefully on a signal.
// ROBBIE_GPU_NODES is checked while the app is built (its URLs need DNS), so a bad entry surfaces here as a
// ConfigError and ends the process with EX_CONFIG, like any other configuration problem.
import { ConfigError, runService } from '@robbie/service-kit'
import { configSchema, type Config } from './config.js'
import { createApp } from './app.js'

await runService('gpu-coordinator', configSchema, async (config) => {
  try {
    return await createApp(config as Config)
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err
    process.stderr.write(`gpu-coordinator: ${err.message}\n`)
    process.exit(78)
  }
})
