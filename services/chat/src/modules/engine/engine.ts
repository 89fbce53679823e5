// The engine as the rest of chat sees it: accept a message (sender), produce answers (generation, run by the
// per-conversation queue), stop one, follow one as it streams, and recover answers whose replica died.
import type { FastifyInstance } from 'fastify'
import type { Identity } from '@robbie/contracts'
import type { CommandsApi, NotesApi, PersonalityApi, ToolsApi } from '../assistant.types.js'
import { createConversationsRepository } from '../conversations/conversations.repository.js'
import type { Control } from '../live/control.js'
import type { Redactor } from '../redaction/redactor.js'
import type { FrameBus } from '../ws/frame-bus.js'
import type { Directory } from './directory.js'
import { ForbiddenMessage, MessageNotFound, NotGenerating } from './engine.errors.js'
import { createGeneration } from './generation.js'
import type { MessageStreams } from './message-stream.js'
import type { ModelClient } from './model.js'
import { createSender } from './sender.js'
import { createTurnQueue } from './turn-queue.js'

interface EngineDeps {
  bus: FrameBus
  streams: MessageStreams
  control: Control
  redactor: Redactor
  model: ModelClient
  directory: Directory
  personality: PersonalityApi
  notes: NotesApi
  commands: CommandsApi
  tools: ToolsApi
  timeoutMs: number
  now?: () => Date
}

const RECOVER_EVERY_MS = 30_000
/** a message streaming for longer than this with nobody running its conversation is looked at */
const STALE_MS = 10_000

export function createEngine (app: FastifyInstance, deps: EngineDeps) {
  const now = deps.now ?? (() => new Date())
  const repo = createConversationsRepository(app.db)
  const log = app.log.child({ module: 'engine' })
  const generation = createGeneration({
    pool: app.db,
    repo,
    outbox: app.outbox,
    bus: deps.bus,
    queue: { isStopped: async (mid) => await queue.isStopped(mid) },
    redactor: deps.redactor,
    commands: deps.commands,
    directory: deps.directory,
    model: deps.model,
    personality: deps.personality,
    notes: deps.notes,
    tools: deps.tools,
    log,
    timeoutMs: deps.timeoutMs,
    now
  })
  const queue = createTurnQueue({ redis: app.redis, log, run: generation.run, abandoned: generation.abandoned })
  const sender = createSender({ pool: app.db, repo, outbox: app.outbox, queue, redactor: deps.redactor, bus: deps.bus, now })

  deps.control.on((m) => { if (m.kind === 'stop') generation.abort(m.messageId, 'stop') })

  // A replica that died mid-answer leaves its conversation's queue without a runner: drive it again, and a
  // message no queue holds any more is finished as failed.
  app.jobs.schedule({
    name: 'chat-recover-answers',
    everyMs: RECOVER_EVERY_MS,
    run: async () => {
      let driven = 0
      let failed = 0
      for (const m of await repo.staleStreaming(new Date(now().getTime() - STALE_MS))) {
        if (await queue.running(m.conversationId)) continue
        if (await queue.queued(m.conversationId, m.id)) { queue.kick(m.conversationId); driven++; continue }
        await generation.abandoned({ assistantMessageId: m.id, userMessageId: m.replyTo ?? m.id, conversationId: m.conversationId, identity: { kind: 'user', id: m.userId, scopes: [] }, sessionId: null, channel: 'web' })
        failed++
      }
      return { driven, failed }
    }
  })
  app.addHook('preClose', async () => {
    generation.abortAll('shutdown')
    await queue.close()
  })

  return {
    send: sender.send,
    streams: deps.streams,

    /** chat.stop / POST /messages/:id/stop (SPEC §3.1): the coordinator call is aborted wherever it runs. */
    async stop (identity: Identity, messageId: string): Promise<void> {
      const m = await repo.findMessageAnyOwner(messageId)
      if (!m) throw new MessageNotFound(messageId)
      if (m.userId !== identity.id) throw new ForbiddenMessage()
      if (m.role !== 'assistant' || m.status !== 'streaming') throw new NotGenerating(messageId)
      await queue.markStopped(messageId)
      if (!generation.abort(messageId, 'stop')) await deps.control.publish({ kind: 'stop', messageId })
    },

    /** Whether a model answers now, asking as this user (for `welcome.modelAvailable`). */
    modelAvailable: async (userId: string) => await deps.model.available(async () => await deps.directory.userToken(userId))
  }
}
export type Engine = ReturnType<typeof createEngine>
