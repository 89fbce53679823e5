// Two chat replicas on one database and one Redis (SPEC §3.1, ARCHITECTURE 12): a session resumed on the other
// replica gets every frame of an answer still generating on the first, and a stop sent to either replica aborts
// the generation where it runs.
import { beforeAll, describe, expect, it, onTestFinished } from 'vitest'
import { uuidv7 } from '@robbie/contracts'
import { buildChatApp, open, user, type ChatTestApp } from './helper.js'

let a: ChatTestApp
let b: ChatTestApp
beforeAll(async () => {
  a = await buildChatApp()
  b = await buildChatApp({ replicaOf: a })
})
const fullText = Array.from({ length: 60 }, (_v, i) => `tick${i}`).join(' ')
function slow () {
  a.ollama.set({ tokensPerSecond: 40, respond: () => fullText })
  onTestFinished(() => { a.ollama.set({ tokensPerSecond: 1000, respond: undefined }) })
}

describe('replicas', () => {
  it('resuming on the other replica continues the stream: nothing lost or doubled', async () => {
    slow()
    const me = await user(a)
    const { client: first, welcome } = await open(a, me.token)
    first.send({ type: 'chat.send', clientMsgId: uuidv7(), conversationId: null, content: 'Count across replicas' })
    await first.next((f) => f.type === 'chat.delta' && f.index >= 1)
    first.ws.terminate()
    await first.closed
    const lastSeq = Math.max(...first.frames.map((f) => f.seq ?? 0))
    const { client: second, welcome: again } = await open(b, me.token, { sessionId: welcome.sessionId, lastSeq })
    expect(again.resumed).toBe(true)
    await second.next((f) => f.type === 'chat.done')
    const all = [...first.frames, ...second.frames].filter((f) => f.seq !== undefined)
    expect(all.map((f) => f.seq)).toEqual(all.map((_f, i) => i + 1))
    expect(all.filter((f) => f.type === 'chat.delta').map((f) => f.text).join('')).toBe(fullText)
    await second.close()
  })

  it('a stop sent to the other replica aborts the generation where it runs', async () => {
    slow()
    const me = await user(a)
    const { client: onA } = await open(a, me.token)
    const { client: onB } = await open(b, me.token)
    onA.send({ type: 'chat.send', clientMsgId: uuidv7(), conversationId: null, content: 'Stop me from afar' })
    const accepted = await onA.next((f) => f.type === 'chat.accepted')
    await onA.next((f) => f.type === 'chat.delta')
    onB.send({ type: 'chat.stop', messageId: accepted.assistantMessageId })
    expect(await onA.next((f) => f.type === 'chat.done')).toMatchObject({ reason: 'stopped' })
    expect(onB.frames.filter((f) => f.type === 'chat.error')).toEqual([])
    for (const c of [onA, onB]) await c.close()
  })
})
