// Producing one assistant message (SPEC §3.1): a `/` command goes to CommandsApi and never to a model; other
// text goes to the model, or gets the no-model notice (SPEC §3.6). Every frame goes to the message's stream
// and to the session it came from, in order. The message is stored once, at its end: `complete`, `stopped`
// (chat.stop, partial text kept) or `failed` (partial text kept, never presented as complete).
import type { FastifyBaseLogger } from 'fastify'
import { withTransaction, type Pool } from '@robbie/db'
import type { Outbox } from '@robbie/bus'
import { RobbieError } from '@robbie/service-kit'
import type { CommandsApi, Mood, TurnContext } from '../assistant.types.js'
import type { ConversationsRepository, FinalMessage } from '../conversations/conversations.repository.js'
import type { Redactor } from '../redaction/redactor.js'
import { redactedNotice } from '../redaction/redactor.js'
import type { FrameBus, ServerFrame } from '../ws/frame-bus.js'
import { textOf } from './message-stream.js'
import { messageCreated } from './messages.events.js'
import { ModelError } from './model.js'
import { modelTurn, type ModelTurnDeps, type TurnOutcome } from './model-turn.js'
import type { Job, TurnQueue } from './turn-queue.js'

export const NO_MODEL_TEXT = 'No language model is connected right now, so I can\'t answer free text. Commands still work — try /priorities, /task add …, /help. An admin can add an Ollama node under GPU mesh.'

type StopReason = 'stop' | 'shutdown' | 'timeout'

interface GenerationDeps extends ModelTurnDeps {
  pool: Pool
  repo: ModelTurnDeps['repo'] & Pick<ConversationsRepository, 'findMessageAnyOwner' | 'finalizeMessage'>
  outbox: Pick<Outbox, 'add'>
  bus: Pick<FrameBus, 'emit' | 'toSession' | 'messageFrames'>
  queue: Pick<TurnQueue, 'isStopped'>
  redactor: Redactor
  commands: CommandsApi
  directory: ModelTurnDeps['directory'] & { userToken: (userId: string) => Promise<string> }
  log: FastifyBaseLogger
  timeoutMs: number
}

export function createGeneration (deps: GenerationDeps) {
  const running = new Map<string, AbortController>()

  function frames (job: Job) {
    let chain: Promise<unknown> = Promise.resolve()
    const send = (frame: ServerFrame, sessionOnly = false) => {
      chain = chain.then(async () => {
        if (sessionOnly) { if (job.sessionId) await deps.bus.toSession(job.sessionId, frame) } else await deps.bus.emit(job.assistantMessageId, frame, job.sessionId)
      }).catch((err: unknown) => { deps.log.warn({ err, messageId: job.assistantMessageId }, 'frame not delivered') })
    }
    return { send, mood: (mood: Mood, reason: string, untilTs?: string) => { send({ type: 'mood', mood, reason, ...(untilTs ? { untilTs } : {}) }, true) }, flushed: () => chain }
  }

  async function finalize (job: Job, f: FinalMessage): Promise<boolean> {
    const done = await withTransaction(deps.pool, async (client) => {
      const row = await deps.repo.finalizeMessage(job.assistantMessageId, f, deps.now(), client)
      if (row) await deps.outbox.add(client, messageCreated(row, job.channel))
      return row !== null
    })
    return done
  }

  const usage = (p: TurnOutcome, started: number) => ({ tokensIn: p.tokensIn, tokensOut: p.tokensOut, ms: Date.now() - started })

  async function run (job: Job): Promise<void> {
    const mid = job.assistantMessageId
    const ctrl = new AbortController()
    running.set(mid, ctrl)
    const timer = setTimeout(() => { ctrl.abort('timeout' satisfies StopReason) }, deps.timeoutMs)
    const f = frames(job)
    const started = Date.now()
    const progress: TurnOutcome = { text: '', toolCalls: [], meta: null, model: null, tokensIn: 0, tokensOut: 0, redactions: 0 }
    const redactor = deps.redactor.forTurn()
    const ctx: TurnContext = {
      identity: job.identity,
      conversationId: job.conversationId,
      messageId: mid,
      tainted: false,
      userToken: async () => await deps.directory.userToken(job.identity.id),
      thinking: (text: string) => { f.send({ type: 'chat.thinking', messageId: mid, text: text.slice(0, 200) }) }
    }
    const stored = (status: FinalMessage['status'], extra: Partial<FinalMessage> = {}): FinalMessage => ({
      content: progress.text,
      status,
      model: progress.model,
      node: progress.meta?.node ?? null,
      routeRequestId: progress.meta?.requestId ?? null,
      tokensIn: progress.meta ? progress.tokensIn : null,
      tokensOut: progress.meta ? progress.tokensOut : null,
      latencyMs: Date.now() - started,
      toolCalls: progress.toolCalls,
      taint: ctx.tainted,
      redactions: progress.redactions,
      ...extra
    })
    const done = (reason: 'complete' | 'stopped' | 'error') => {
      f.send({ type: 'chat.done', messageId: mid, reason, usage: usage(progress, started), ...(progress.model ? { model: progress.model } : {}), ...(progress.meta?.node ? { node: progress.meta.node } : {}) })
    }
    const fail = async (code: string, message: string, retryable: boolean) => {
      f.send({ type: 'chat.error', messageId: mid, code, message, retryable })
      if (await finalize(job, stored('failed'))) done('error')
      f.mood('surprised', 'error', new Date(Date.now() + 4000).toISOString())
    }

    try {
      const user = await deps.repo.findMessageAnyOwner(job.userMessageId)
      const own = await deps.repo.findMessageAnyOwner(mid)
      if (!user || own?.status !== 'streaming') return // the conversation was deleted, or someone finished it
      if (await deps.queue.isStopped(mid)) {
        if (await finalize(job, stored('stopped'))) done('stopped')
        return
      }
      if (deps.commands.isCommand(user.content)) {
        const outcome = await deps.commands.run(ctx, user.content)
        for (const call of outcome.toolCalls ?? []) f.send({ type: 'chat.tool', messageId: mid, call })
        progress.toolCalls = outcome.toolCalls ?? []
        progress.text = outcome.text
        if (outcome.code) f.send({ type: 'chat.notice', messageId: mid, code: outcome.code, text: outcome.text })
        else f.send({ type: 'chat.delta', messageId: mid, index: 0, text: outcome.text })
        if (await finalize(job, stored('complete', { role: outcome.code ? 'notice' : 'assistant' }))) done('complete')
        return
      }
      f.mood('focused', 'generating')
      await modelTurn(deps, { ctx, user, redactor, signal: ctrl.signal, emit: (frame) => { f.send(frame) }, progress })
      if (progress.redactions > 0) f.send({ type: 'chat.notice', messageId: mid, code: 'CHAT_REDACTED', text: redactedNotice(progress.redactions) })
      if (await finalize(job, stored('complete'))) done('complete')
      f.mood((await deps.personality.get(job.identity.id)).mood, 'idle')
    } catch (err) {
      const reason = ctrl.signal.aborted ? ctrl.signal.reason as StopReason : null
      if (reason === 'stop') {
        if (await finalize(job, stored('stopped'))) done('stopped')
      } else if (reason !== null) {
        await fail('CHAT_GENERATION_FAILED', reason === 'timeout' ? 'The answer took too long' : 'The service restarted during the answer', true)
      } else if (err instanceof ModelError && err.kind === 'no_model' && progress.text === '') {
        deps.model.saw(false)
        progress.text = NO_MODEL_TEXT
        f.send({ type: 'chat.notice', messageId: mid, code: 'CHAT_NO_MODEL', text: NO_MODEL_TEXT })
        if (await finalize(job, stored('complete', { role: 'notice' }))) done('complete')
      } else if (err instanceof ModelError && err.kind === 'busy' && progress.text === '') {
        await fail('CHAT_MODEL_BUSY', 'The language models are busy; try again shortly', true)
      } else if (err instanceof RobbieError && err.statusCode < 500 && progress.text === '') {
        await fail(err.code, err.message, false)
      } else {
        const unavailable = err instanceof RobbieError && err.statusCode === 503
        if (!unavailable) deps.log.warn({ err: { message: (err as Error)?.message }, messageId: mid }, 'generation failed')
        await fail(unavailable ? 'CHAT_UNAVAILABLE' : 'CHAT_GENERATION_FAILED', unavailable ? (err as Error).message : 'The answer could not be completed', unavailable)
      }
    } finally {
      clearTimeout(timer)
      running.delete(mid)
      await f.flushed()
    }
  }

  return {
    run,
    /** A job whose runner died mid-answer (SPEC §3.1): failed, with the text that had streamed. */
    async abandoned (job: Job): Promise<void> {
      const f = frames(job)
      const text = textOf(await deps.bus.messageFrames(job.assistantMessageId))
      f.send({ type: 'chat.error', messageId: job.assistantMessageId, code: 'CHAT_GENERATION_FAILED', message: 'The answer was interrupted', retryable: true })
      if (await finalize(job, { content: text, status: 'failed' })) {
        f.send({ type: 'chat.done', messageId: job.assistantMessageId, reason: 'error', usage: { tokensIn: 0, tokensOut: 0, ms: 0 } })
      }
      await f.flushed()
    },
    /** Aborts a generation running in this process; false when it runs elsewhere (or nowhere). */
    abort (mid: string, reason: StopReason): boolean {
      const ctrl = running.get(mid)
      if (!ctrl) return false
      ctrl.abort(reason)
      return true
    },
    abortAll (reason: StopReason): void { for (const ctrl of running.values()) ctrl.abort(reason) }
  }
}
