// The process around an app (CONVENTIONS §3.1): load config, build, listen, and close gracefully on a
// signal (in-flight requests finish, consumers stop, pools close). Only server.ts files call this.
import closeWithGrace from 'close-with-grace'
import type { FastifyInstance } from 'fastify'
import type { TObject, Static } from 'typebox'
import { ConfigError, loadConfig, type KitConfig } from './config.js'

export async function runService<S extends TObject> (
  name: string, schema: S, createApp: (config: Readonly<Static<S>>) => Promise<FastifyInstance>
): Promise<void> {
  let config: Readonly<Static<S>>
  try {
    config = loadConfig(schema, process.env)
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err
    process.stderr.write(`${name}: ${err.message}\n`)
    process.exit(78) // EX_CONFIG: the supervisor sees a configuration failure, not a crash
  }
  const app = await createApp(config)
  closeWithGrace({ delay: 10_000 }, async ({ signal, err }) => {
    if (err) app.log.error({ err }, 'closing after an error')
    else app.log.info({ signal }, 'closing')
    await app.close()
  })
  const kit = config as unknown as KitConfig
  await app.listen({ host: kit.HOST, port: kit.PORT })
}
