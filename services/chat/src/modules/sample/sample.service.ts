// Loading and removing chat's sample data (SPEC §11.6) for the owner: five notes in their memory and a welcome
// conversation. Loading is idempotent item by item (a note or the conversation already there is not made again,
// so a retry after a partial failure completes the rest); removal takes every row marked `sample` and no other.
import { uuidv7 } from '@robbie/contracts'
import { withTransaction, type Pool } from '@robbie/db'
import type { Outbox } from '@robbie/bus'
import type { ConversationsRepository } from '../conversations/conversations.repository.js'
import type { Directory } from '../engine/directory.js'
import { messageCreated } from '../engine/messages.events.js'
import type { NotesService } from '../notes/index.js'
import { SAMPLE_NOTES, WELCOME_TITLE, welcomeMessage } from './sample.content.js'
import type { SampleCounts, SampleRepository } from './sample.repository.js'

interface SampleDeps {
  pool: Pool
  repo: SampleRepository
  conversations: Pick<ConversationsRepository, 'createConversation' | 'reserveSeqs' | 'insertMessage'>
  notes: Pick<NotesService, 'createNote'>
  outbox: Pick<Outbox, 'add'>
  directory: Pick<Directory, 'user'>
  now?: () => Date
}

export function createSampleService (deps: SampleDeps) {
  const now = deps.now ?? (() => new Date())

  async function loadNotes (ownerUserId: string): Promise<void> {
    const existing = await deps.repo.noteTitles(ownerUserId)
    for (const note of SAMPLE_NOTES) {
      if (existing.has(note.title)) continue
      // through the notes service: its checks and its live hint; written by the owner (author user)
      const created = await deps.notes.createNote({ userId: ownerUserId, role: 'owner', by: 'user' }, note)
      await deps.repo.markNote(created.id)
    }
  }

  async function loadWelcome (ownerUserId: string, requestId?: string): Promise<void> {
    if (await deps.repo.hasConversation(ownerUserId)) return
    // asked before BEGIN: no HTTP inside a transaction; without a name the greeting simply names no one
    const content = welcomeMessage((await deps.directory.user(ownerUserId))?.name ?? null)
    const at = now()
    await withTransaction(deps.pool, async (client) => {
      const conversationId = uuidv7()
      await deps.conversations.createConversation({ id: conversationId, userId: ownerUserId, title: WELCOME_TITLE, channel: 'web', at }, client)
      await deps.repo.markConversation(conversationId, client)
      // seq and message_count move together, as for any other message
      const seq = await deps.conversations.reserveSeqs(ownerUserId, conversationId, 1, at, client)
      const message = await deps.conversations.insertMessage({
        id: uuidv7(),
        conversationId,
        userId: ownerUserId,
        seq: seq!,
        role: 'assistant',
        content,
        status: 'complete',
        clientMsgId: null,
        replyTo: null,
        redactions: 0,
        taint: false
      }, at, client)
      await deps.outbox.add(client, messageCreated(message, 'web', requestId))
    })
  }

  return {
    async load (ownerUserId: string, requestId?: string): Promise<SampleCounts> {
      return await deps.repo.withOwnerLock(ownerUserId, async () => {
        await loadNotes(ownerUserId)
        await loadWelcome(ownerUserId, requestId)
        return await deps.repo.counts(ownerUserId)
      })
    },

    async remove (ownerUserId: string): Promise<SampleCounts> {
      await withTransaction(deps.pool, async (client) => { await deps.repo.removeAll(client) })
      return await deps.repo.counts(ownerUserId)
    }
  }
}
