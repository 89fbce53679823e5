// The composition root of chat: the kit, then the engine (conversations, redaction, model calls), the socket
// (/ws) with its sessions and live pushes, and the assistant's modules: personality and notes, commands,
// tools and actions (built against the seams in modules/assistant.types.ts).
import { join } from 'node:path'
import { createService, remoteKeyVerifier, type ServiceDeps, type VerifyApiKey } from '@robbie/service-kit'
import { ollamaHost, publicOrigins, type Config } from './config.js'
import { actionsRoutes } from './modules/actions/index.js'
import { createCommands } from './modules/commands/index.js'
import { createConversationsRepository } from './modules/conversations/conversations.repository.js'
import { conversationsRoutes } from './modules/conversations/conversations.routes.js'
import { createConversationsService } from './modules/conversations/conversations.service.js'
import { createDirectory } from './modules/engine/directory.js'
import { createEngine } from './modules/engine/engine.js'
import { createMessageStreams } from './modules/engine/message-stream.js'
import { messagesRoutes } from './modules/engine/messages.routes.js'
import { createModelClient } from './modules/engine/model.js'
import { createSampler } from './modules/engine/sample.js'
import { registerAuthEvents } from './modules/live/auth-events.js'
import { createChannels } from './modules/live/channels.js'
import { createControl } from './modules/live/control.js'
import { createLiveRelay } from './modules/live/live.relay.js'
import { createNotesApi, notesRoutes, registerNotesJobs } from './modules/notes/index.js'
import { createPersonalityApi, personalityRoutes } from './modules/personality/index.js'
import type { PersonalityChange } from './modules/personality/index.js'
import { createRedactor } from './modules/redaction/redactor.js'
import { createSecretsMatcher } from './modules/redaction/secrets-match.js'
import { sampleRoutes } from './modules/sample/sample.routes.js'
import { createFrameBus } from './modules/ws/frame-bus.js'
import { createHub } from './modules/ws/hub.js'
import { createSocketAuth } from './modules/ws/socket-auth.js'
import { createTools } from './modules/tools/index.js'
import { wsRoutes } from './modules/ws/ws.routes.js'

const serviceDir = join(import.meta.dirname, '..')

const PURGE_EVERY_MS = 6 * 3_600_000

export async function createApp (config: Config, deps: ServiceDeps = {}) {
  const app = await createService({ name: 'chat', config, serviceDir, deps })
  const prefix = '/api/chat'

  // frames, sessions and live pushes (Redis)
  const channels = createChannels(app.redis)
  const control = createControl({ channels, prefix: app.redis.prefix })
  const bus = createFrameBus({ redis: app.redis, channels, resumeMs: config.ROBBIE_CHAT_RESUME_MS })
  const streams = createMessageStreams({ bus, channels })
  const hub = createHub({ redis: app.redis, control, pingMs: config.ROBBIE_CHAT_PING_MS })
  const live = createLiveRelay({ redis: app.redis, hub })

  // other services
  const directory = createDirectory({ authUrl: config.ROBBIE_AUTH_URL, serviceKeyFile: config.ROBBIE_SERVICE_KEY_FILE })
  const redactor = createRedactor({
    match: config.ROBBIE_SECRETS_URL ? createSecretsMatcher({ secretsUrl: config.ROBBIE_SECRETS_URL, serviceKeyFile: config.ROBBIE_SERVICE_KEY_FILE }) : null
  })
  if (!config.ROBBIE_SECRETS_URL) app.log.warn('ROBBIE_SECRETS_URL is not set: only pattern redaction, no exact secret values')
  const model = createModelClient({ host: ollamaHost(config), statusTtlMs: config.ROBBIE_CHAT_MODEL_STATUS_TTL_MS })

  // the assistant's modules
  const personality = createPersonalityApi(app, { notify: async (userId, frame) => { await hub.pushToUser(userId, { ...frame }) } })
  const notes = createNotesApi(app)
  registerNotesJobs(app, notes)
  const tools = createTools(app, { config, personality, notes, directory })
  const commands = createCommands(app, { tools, personality })

  const engine = createEngine(app, {
    bus, streams, control, redactor, model, directory, personality, notes, commands, tools, timeoutMs: config.ROBBIE_CHAT_MODEL_TIMEOUT_MS
  })
  const conversations = createConversationsService({ repo: createConversationsRepository(app.db), streams })
  app.jobs.schedule({ name: 'chat-purge-conversations', everyMs: PURGE_EVERY_MS, run: async () => ({ purged: await conversations.purge() }) })

  registerAuthEvents(app, { control, evictUser: directory.evictUser, evictCompany: directory.evictCompany, extra: tools.events })

  await app.register(conversationsRoutes, { prefix, conversations, commands })
  await app.register(messagesRoutes, { prefix, engine, conversations, syncWaitMs: config.ROBBIE_CHAT_SYNC_WAIT_MS, streamMaxMs: config.ROBBIE_CHAT_MODEL_TIMEOUT_MS + 60_000 })
  const sample = createSampler({ model, personality, directory, redactor, log: app.log.child({ module: 'sample' }) })
  await app.register(personalityRoutes, { prefix, personality, sample })
  await app.register(notesRoutes, { prefix, notes })
  await app.register(actionsRoutes, { prefix, actions: tools.actions })
  await app.register(sampleRoutes, { notes, directory })

  const verifyApiKey: VerifyApiKey = deps.verifyApiKey ?? (config.ROBBIE_AUTH_URL
    ? remoteKeyVerifier({ service: 'chat', authUrl: config.ROBBIE_AUTH_URL, serviceKeyFile: config.ROBBIE_SERVICE_KEY_FILE })
    : async () => null)
  await app.register(wsRoutes, {
    origins: publicOrigins(config),
    connection: {
      auth: createSocketAuth({ redis: app.redis, jwtKeysFile: config.ROBBIE_JWT_KEYS_FILE, verifyApiKey }),
      hub,
      bus,
      channels,
      engine,
      repo: createConversationsRepository(app.db),
      personality: {
        get: personality.get,
        update: async (userId, change) => await personality.set(userId, change as PersonalityChange, { userId, via: 'ws' })
      },
      userName: async (userId) => (await directory.user(userId))?.name ?? '',
      killswitch: async () => (await tools.killswitch.state()).active,
      limiter: app.limiter,
      log: app.log.child({ module: 'ws' }),
      timing: {
        helloMs: config.ROBBIE_CHAT_HELLO_TIMEOUT_MS,
        pingMs: config.ROBBIE_CHAT_PING_MS,
        idleMs: config.ROBBIE_CHAT_IDLE_MS,
        expiringLeadMs: config.ROBBIE_CHAT_EXPIRING_LEAD_MS
      }
    }
  })

  app.addHook('onReady', async () => {
    try {
      await control.start()
      await live.start()
      await live.onKeyRevoked(hub.closeKey)
    } catch (err) {
      app.log.warn({ err }, 'chat channels not subscribed: redis not reachable')
    }
  })
  app.addHook('onClose', async () => {
    await live.close()
    await control.stop()
    await channels.close()
  })
  return app
}
