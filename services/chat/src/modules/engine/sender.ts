// chat.send and POST /api/chat/messages (SPEC §3.1, §3.2): idempotent by clientMsgId (a re-send gets the
// original acceptance and never a second answer), redacted before anything is stored, queued behind the
// conversation's current generation (at most 5 waiting). The user message and the assistant's placeholder
// are written together, so a turn either exists whole or not at all.
import { uuidv7, type Identity } from '@robbie/contracts'
import { withTransaction, type Pool } from '@robbie/db'
import type { Outbox } from '@robbie/bus'
import type { ConversationsRepository, MessageRow } from '../conversations/conversations.repository.js'
import { MAX_CONTENT } from '../conversations/conversations.schemas.js'
import type { Redactor } from '../redaction/redactor.js'
import { redactedNotice } from '../redaction/redactor.js'
import type { FrameBus } from '../ws/frame-bus.js'
import { ContentTooLong, ConversationNotFound, TooManyPending } from './engine.errors.js'
import { messageCreated } from './messages.events.js'
import type { TurnQueue } from './turn-queue.js'

const MAX_WAITING = 5

interface SendInput { conversationId: string | null, content: string, clientMsgId: string }
interface Origin { sessionId: string | null, channel: 'web' | 'api', requestId?: string }
export interface Accepted { clientMsgId: string, conversationId: string, userMessageId: string, assistantMessageId: string }

const titleOf = (text: string) => {
  const line = text.trim().split('\n')[0]!.replace(/\s+/g, ' ')
  return line.length > 60 ? `${line.slice(0, 59)}…` : line
}

const acceptedOf = (clientMsgId: string, user: MessageRow, assistant: MessageRow | null): Accepted => ({
  clientMsgId, conversationId: user.conversationId, userMessageId: user.id, assistantMessageId: assistant?.id ?? user.id
})

export function createSender (deps: {
  pool: Pool
  repo: ConversationsRepository
  outbox: Pick<Outbox, 'add'>
  queue: Pick<TurnQueue, 'pending' | 'enqueue'>
  redactor: Redactor
  bus: Pick<FrameBus, 'emit'>
  now?: () => Date
}) {
  const now = deps.now ?? (() => new Date())

  async function existing (userId: string, clientMsgId: string): Promise<Accepted | null> {
    const turn = await deps.repo.findTurnByClientMsgId(userId, clientMsgId)
    return turn ? acceptedOf(clientMsgId, turn.user, turn.assistant) : null
  }

  return {
    /**
     * Accepts one message. `onAccepted` runs before the answer can start, so `chat.accepted` precedes every
     * frame of the answer; `fresh` is false for a re-send of a clientMsgId already accepted.
     */
    async send (identity: Identity, input: SendInput, origin: Origin, onAccepted?: (a: Accepted, fresh: boolean) => Promise<void>): Promise<{ accepted: Accepted, fresh: boolean }> {
      if (input.content.length > MAX_CONTENT) throw new ContentTooLong(MAX_CONTENT)
      const userId = identity.id
      const before = await existing(userId, input.clientMsgId)
      if (before) {
        await onAccepted?.(before, false)
        return { accepted: before, fresh: false }
      }
      if (input.conversationId) {
        if (!await deps.repo.findConversation(userId, input.conversationId)) throw new ConversationNotFound(input.conversationId)
        if (await deps.queue.pending(input.conversationId) > MAX_WAITING) throw new TooManyPending(MAX_WAITING)
      }
      // SPEC §3.5: what is stored, and later sent to a model, is the redacted text
      const redacted = await deps.redactor.forTurn().redact(input.content)
      const at = now()
      let accepted: Accepted
      try {
        accepted = await withTransaction(deps.pool, async (client) => {
          const conversationId = input.conversationId ?? uuidv7()
          if (!input.conversationId) {
            await deps.repo.createConversation({ id: conversationId, userId, title: titleOf(redacted.text), channel: origin.channel, at }, client)
          }
          const seq = await deps.repo.reserveSeqs(userId, conversationId, 2, at, client)
          if (seq === null) throw new ConversationNotFound(conversationId)
          const user = await deps.repo.insertMessage({
            id: uuidv7(),
            conversationId,
            userId,
            seq,
            role: 'user',
            content: redacted.text,
            status: 'complete',
            clientMsgId: input.clientMsgId,
            replyTo: null,
            redactions: redacted.count,
            taint: false
          }, at, client)
          const assistant = await deps.repo.insertMessage({
            id: uuidv7(),
            conversationId,
            userId,
            seq: seq + 1,
            role: 'assistant',
            content: '',
            status: 'streaming',
            clientMsgId: null,
            replyTo: user.id,
            redactions: 0,
            taint: false
          }, at, client)
          await deps.outbox.add(client, messageCreated(user, origin.channel, origin.requestId))
          return acceptedOf(input.clientMsgId, user, assistant)
        })
      } catch (err) {
        // the same clientMsgId sent twice at once: the other one won, and its acceptance is the answer
        if ((err as { code?: string }).code === '23505') {
          const won = await existing(userId, input.clientMsgId)
          if (won) {
            await onAccepted?.(won, false)
            return { accepted: won, fresh: false }
          }
        }
        throw err
      }
      await onAccepted?.(accepted, true)
      if (redacted.count > 0) {
        await deps.bus.emit(accepted.assistantMessageId, { type: 'chat.notice', messageId: accepted.userMessageId, code: 'CHAT_REDACTED', text: redactedNotice(redacted.count) }, origin.sessionId)
      }
      await deps.queue.enqueue({
        assistantMessageId: accepted.assistantMessageId,
        userMessageId: accepted.userMessageId,
        conversationId: accepted.conversationId,
        identity,
        sessionId: origin.sessionId,
        channel: origin.channel
      })
      return { accepted, fresh: true }
    }
  }
}
