// Timed streaming answers for bench/chat.ts: a streaming /api/chat through the `ollama` client (the node itself,
// or the coordinator), and a message sent over robbie.chat.v1 the way the web app sends it, each stamped as the
// client receives it. For the ollama streams it also notes when chat's output redactor could first release text
// (safeCut > 0: it holds back the last 48 characters until a whitespace cut), the earliest a chat.delta can go out.
import { performance } from 'node:perf_hooks'
import type { Ollama } from 'ollama'
import WebSocket from 'ws'
import { uuidv7 } from '@robbie/contracts'
import { safeCut } from '../../services/chat/src/modules/redaction/stream.js'

export interface Sample {
  /** ms from sending to the first text */
  ttftMs: number
  /** ollama streams: ms to the first text chat's redactor would release */
  releasableMs?: number
  /** chat: ms to chat.accepted */
  acceptedMs?: number
  /** ms to the end of the answer */
  totalMs: number
  text: string
}

export async function ollamaStream (client: Ollama, model: string, content: string): Promise<Sample> {
  const started = performance.now()
  let ttftMs: number | undefined
  let releasableMs: number | undefined
  let text = ''
  const stream = await client.chat({ model, messages: [{ role: 'user', content }], stream: true })
  for await (const part of stream) {
    const now = performance.now()
    if (!part.message.content) continue
    text += part.message.content
    ttftMs ??= now - started
    if (releasableMs === undefined && safeCut(text) > 0) releasableMs = now - started
  }
  const totalMs = performance.now() - started
  if (ttftMs === undefined) throw new Error('the stream carried no text')
  // a reply shorter than the hold is released whole at the end
  return { ttftMs, releasableMs: releasableMs ?? totalMs, totalMs, text }
}

export interface Frame { type: string, [k: string]: unknown }

/** A signed-in robbie.chat.v1 socket that sends one message at a time and times its answer. */
export async function chatSocket (url: string, token: string, origin?: string) {
  const ws = new WebSocket(url, 'robbie.chat.v1', { perMessageDeflate: false, ...(origin ? { origin } : {}) })
  let listener: ((f: Frame, at: number) => void) | undefined
  ws.on('message', (data) => { listener?.(JSON.parse(String(data)) as Frame, performance.now()) })
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => { resolve() })
    ws.once('error', reject)
    ws.once('unexpected-response', (_req, res) => { reject(new Error(`/ws answered HTTP ${res.statusCode ?? '?'}`)) })
  })
  const welcome = await new Promise<Frame>((resolve, reject) => {
    listener = (f) => { if (f.type === 'welcome') resolve(f) }
    ws.once('close', (code) => { reject(new Error(`socket closed ${code} before welcome`)) })
    ws.send(JSON.stringify({ type: 'hello', v: 1, token, client: { name: 'bench-chat', version: '1' } }))
  })

  /** Sends `content` in a new conversation; resolves at chat.done with the timings. */
  function send (content: string): Promise<Sample> {
    return new Promise((resolve, reject) => {
      const clientMsgId = uuidv7()
      const started = performance.now()
      let messageId = ''
      let acceptedMs: number | undefined
      let ttftMs: number | undefined
      let text = ''
      const fail = (why: string) => { listener = undefined; reject(new Error(why)) }
      listener = (f, at) => {
        if (f.type === 'chat.accepted' && f.clientMsgId === clientMsgId) {
          messageId = String(f.assistantMessageId)
          acceptedMs = at - started
        } else if (f.type === 'chat.delta' && f.messageId === messageId) {
          ttftMs ??= at - started
          text += String(f.text)
        } else if (f.type === 'chat.error' || f.type === 'error') {
          fail(`${String(f.code)}: ${String(f.message)}`)
        } else if (f.type === 'chat.notice' && f.messageId === messageId) {
          fail(`notice ${String(f.code)}: ${String(f.text)}`)
        } else if (f.type === 'chat.done' && f.messageId === messageId) {
          listener = undefined
          if (f.reason !== 'complete' || ttftMs === undefined) { reject(new Error(`chat.done ${String(f.reason)} after ${text.length} characters`)); return }
          resolve({ ttftMs, ...(acceptedMs !== undefined ? { acceptedMs } : {}), totalMs: at - started, text })
        }
      }
      ws.send(JSON.stringify({ type: 'chat.send', clientMsgId, conversationId: null, content }))
    })
  }

  return {
    welcome,
    send,
    close: async () => {
      if (ws.readyState === WebSocket.CLOSED) return
      await new Promise<void>((resolve) => { ws.once('close', () => { resolve() }); ws.close(1000) })
    }
  }
}
