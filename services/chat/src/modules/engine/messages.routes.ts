// POST /api/chat/messages (SPEC §3.2): the chat call for API clients. JSON: 200 with both messages once the answer
// is done (within ROBBIE_CHAT_SYNC_WAIT_MS), else 202 and it keeps streaming. With `Accept: text/event-stream`
// the answer streams as SSE events named like the WS frames (accepted, thinking, delta, tool, notice, done, error).
// POST /api/chat/messages/:id/stop stops a generation (202).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Static } from 'typebox'
import type { ConversationsService } from '../conversations/conversations.service.js'
import { IdParams, SendAccepted, SendBody, SendReply, StopReply } from '../conversations/conversations.schemas.js'
import type { ServerFrame } from '../ws/frame-bus.js'
import type { Engine } from './engine.js'
import type { Accepted } from './sender.js'

const sseName = (type: string) => type.replace(/^chat\./, '')

async function streamSse (request: FastifyRequest, reply: FastifyReply, engine: Engine, accepted: Accepted, maxMs: number): Promise<void> {
  reply.hijack()
  const raw = reply.raw
  raw.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    'x-accel-buffering': 'no',
    'x-request-id': request.id
  })
  const write = (frame: ServerFrame) => { if (!raw.writableEnded) raw.write(`event: ${sseName(frame.type)}\ndata: ${JSON.stringify(frame)}\n\n`) }
  write({ type: 'chat.accepted', ...accepted, ts: new Date().toISOString() })
  try {
    const following = await engine.streams.follow(accepted.assistantMessageId, write)
    const timer = setTimeout(() => { void following.stop() }, maxMs)
    raw.on('close', () => { void following.stop() })
    await following.finished
    clearTimeout(timer)
  } catch (err) {
    // the stream could not be followed (Redis away): the answer goes on; the client reads it over GET
    request.log.warn({ err }, 'answer not followed')
    write({ type: 'chat.error', messageId: accepted.assistantMessageId, code: 'CHAT_UNAVAILABLE', message: 'The answer cannot be streamed right now; read it with GET /api/chat/messages/:id', retryable: true })
  } finally {
    if (!raw.writableEnded) raw.end()
  }
}

export async function messagesRoutes (app: FastifyInstance, opts: { engine: Engine, conversations: ConversationsService, syncWaitMs: number, streamMaxMs: number }): Promise<void> {
  const { engine, conversations } = opts

  app.post('/messages', {
    config: { scope: 'chat:write', limit: 'chat' },
    schema: {
      tags: ['messages'],
      summary: 'Send a message; the answer as JSON (200 when done, else 202) or as server-sent events',
      body: SendBody,
      response: { 200: SendReply, 202: SendAccepted }
    }
  }, async (request, reply) => {
    const identity = request.identity!
    const body = request.body as Static<typeof SendBody>
    const { accepted } = await engine.send(identity, body, { sessionId: null, channel: identity.keyId ? 'api' : 'web', requestId: request.id })
    if (String(request.headers.accept ?? '').includes('text/event-stream')) {
      await streamSse(request, reply, engine, accepted, opts.streamMaxMs)
      return reply
    }
    const current = await conversations.message(identity, accepted.assistantMessageId)
    if (current.status === 'streaming') {
      const following = await engine.streams.follow(accepted.assistantMessageId, () => {})
      const timer = setTimeout(() => { void following.stop() }, opts.syncWaitMs)
      reply.raw.on('close', () => { void following.stop() })
      await following.finished
      clearTimeout(timer)
    }
    const assistantMessage = await conversations.message(identity, accepted.assistantMessageId)
    if (assistantMessage.status === 'streaming') return await reply.code(202).send({ assistantMessageId: accepted.assistantMessageId, status: 'streaming' })
    return {
      conversationId: accepted.conversationId,
      userMessage: await conversations.message(identity, accepted.userMessageId),
      assistantMessage
    }
  })

  app.post('/messages/:id/stop', {
    config: { scope: 'chat:write' },
    schema: { tags: ['messages'], summary: 'Stop a generation (the partial text is kept as `stopped`)', params: IdParams, response: { 202: StopReply } }
  }, async (request, reply) => {
    const { id } = request.params as Static<typeof IdParams>
    await engine.stop(request.identity!, id)
    return await reply.code(202).send({ messageId: id, stopping: true })
  })
}
