// Chat end to end (issue 7, SPEC §3): a whole fleet of its own behind nginx, the gpu-coordinator routing to the
// fake Ollama node. Through the gateway's /ws: a streamed answer, stop, resume after a disconnect with nothing
// lost or doubled, commands and the no-model answer, a slider that changes the system prompt the node receives,
// and a stored secret typed into the chat that never reaches the node or the stored message.
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest'
import { uuidv7 } from '@robbie/contracts'
import { startFakeOllama, type FakeOllama } from '@robbie/testing'
import { connect, turn, type Client, type Frame } from '../../services/chat/test/helper.js'
import { startFleet, type RunningFleet } from './fleet-harness.js'

const MODEL = 'llama3.2:3b'
let fleet: RunningFleet
let node: FakeOllama
let token = ''

beforeAll(async () => {
  node = await startFakeOllama({ models: [{ name: MODEL, sizeMb: 2000, loaded: true }], tokensPerSecond: 500 })
  fleet = await startFleet({
    name: 'chat',
    env: {
      ROBBIE_GPU_NODES: JSON.stringify([{ name: 'fake-1', baseUrl: node.url }]),
      ROBBIE_GPU_DEFAULT_MODEL: MODEL,
      ROBBIE_GPU_FAST_MODEL: MODEL
    }
  })
  token = (await fleet.login()).accessToken
})
afterAll(async () => {
  await fleet?.stop()
  await node?.close()
})

const chatCalls = () => node.received.filter((r) => r.path === '/api/chat')
const systemOf = (r = chatCalls().at(-1)!) => (r.body as { messages: Array<{ content: string }> }).messages[0]!.content

async function hello (resume?: { sessionId: string, lastSeq: number }): Promise<{ client: Client, welcome: Frame }> {
  const client = await connect(`ws://127.0.0.1:${fleet.base}/ws`, { origin: fleet.url })
  client.send({ type: 'hello', v: 1, token, ...(resume ? { resume } : {}) })
  return { client, welcome: await client.next((f) => f.type === 'welcome') }
}

const longText = Array.from({ length: 80 }, (_v, i) => `step${i}`).join(' ')
function slow () {
  node.set({ tokensPerSecond: 40, respond: () => longText })
  onTestFinished(() => { node.set({ tokensPerSecond: 500, respond: undefined }) })
}

describe('chat through nginx and the gpu-coordinator', () => {
  it('streams an answer from the node, named in chat.done', async () => {
    const { client, welcome } = await hello()
    expect(welcome).toMatchObject({ resumed: false, modelAvailable: true, user: { role: 'owner' } })
    const r = await turn(client, 'Hello from end to end')
    expect(r.text).toBe('You said: Hello from end to end')
    expect(r.done).toMatchObject({ reason: 'complete', node: 'fake-1' })
    const call = chatCalls().at(-1)!
    expect(systemOf(call)).toContain('You are Robbie, executive assistant to Olivia Owner')
    await client.close()
  })

  it('stops a generation: the node call is aborted and the partial text kept', async () => {
    slow()
    const { client } = await hello()
    const aborted = node.aborted
    client.send({ type: 'chat.send', clientMsgId: uuidv7(), conversationId: null, content: 'Go on for a while' })
    const accepted = await client.next((f) => f.type === 'chat.accepted')
    await client.next((f) => f.type === 'chat.delta')
    client.send({ type: 'chat.stop', messageId: accepted.assistantMessageId })
    expect(await client.next((f) => f.type === 'chat.done')).toMatchObject({ reason: 'stopped' })
    await expect.poll(() => node.aborted).toBeGreaterThan(aborted)
    const message = await fleet.api('GET', `/api/chat/messages/${accepted.assistantMessageId}`, { token })
    expect(message.body).toMatchObject({ status: 'stopped' })
    expect(message.body.content).toBe(client.frames.filter((f) => f.type === 'chat.delta').map((f) => f.text).join(''))
    await client.close()
  })

  it('resumes after a disconnect with nothing lost or doubled', async () => {
    slow()
    const { client: a, welcome } = await hello()
    a.send({ type: 'chat.send', clientMsgId: uuidv7(), conversationId: null, content: 'Keep counting' })
    await a.next((f) => f.type === 'chat.delta' && f.index >= 1)
    a.ws.terminate()
    await a.closed
    const lastSeq = Math.max(...a.frames.map((f) => f.seq ?? 0))
    const { client: b, welcome: again } = await hello({ sessionId: welcome.sessionId, lastSeq })
    expect(again.resumed).toBe(true)
    await b.next((f) => f.type === 'chat.done')
    const all = [...a.frames, ...b.frames].filter((f) => f.seq !== undefined)
    expect(all.map((f) => f.seq)).toEqual(all.map((_f, i) => i + 1))
    expect(all.filter((f) => f.type === 'chat.delta').map((f) => f.text).join('')).toBe(longText)
    await b.close()
  })

  it('answers commands without the model, and free text with the no-model notice when no node can serve', async () => {
    const { client } = await hello()
    const calls = chatCalls().length
    const help = await turn(client, '/help')
    expect(help.done).toMatchObject({ reason: 'complete' })
    expect(help.text + help.frames.filter((f) => f.type === 'chat.notice').map((f) => f.text).join('')).toContain('/priorities')
    const priorities = await turn(client, '/priorities 3')
    expect(priorities.done).toMatchObject({ reason: 'complete' })
    expect(chatCalls().length).toBe(calls)

    const nodes = await fleet.api('GET', '/api/gpu-coordinator/nodes', { token })
    const id = (nodes.body.items as Array<{ id: string, name: string }>).find((n) => n.name === 'fake-1')!.id
    expect((await fleet.api('PATCH', `/api/gpu-coordinator/nodes/${id}`, { token, body: { enabled: false } })).status).toBe(200)
    onTestFinished(async () => { await fleet.api('PATCH', `/api/gpu-coordinator/nodes/${id}`, { token, body: { enabled: true } }) })
    const none = await turn(client, 'Tell me a story')
    expect(none.frames.find((f) => f.type === 'chat.notice')).toMatchObject({ code: 'CHAT_NO_MODEL', text: expect.stringContaining('No language model is connected right now') })
    expect(chatCalls().length).toBe(calls)
    await client.close()
  })

  it('moving a slider changes the system prompt the node receives', async () => {
    const { client } = await hello()
    await turn(client, 'Before the change')
    const before = systemOf()
    expect((await fleet.api('PUT', '/api/chat/personality', { token, body: { turbo: 9 } })).status).toBe(200)
    onTestFinished(async () => { await fleet.api('PUT', '/api/chat/personality', { token, body: { preset: 'balanced' } }) })
    await client.next((f) => f.type === 'personality.changed')
    await turn(client, 'After the change')
    expect(systemOf()).not.toBe(before)
    expect(systemOf()).toContain('Turbo')
    expect((chatCalls().at(-1)!.body as { options: { num_predict: number } }).options.num_predict).toBe(384)
    await client.close()
  })

  it('a stored secret typed into the chat never reaches the node or the stored message', async () => {
    const secret = `e2e-Secret-${uuidv7().slice(-12)}`
    expect((await fleet.api('PUT', '/api/secrets/entries/smtp/password', { token, body: { value: secret } })).status).toBeLessThan(300)
    const { client } = await hello()
    const r = await turn(client, `the smtp password is ${secret} keep it`)
    expect(r.frames.find((f) => f.type === 'chat.notice' && f.code === 'CHAT_REDACTED')).toBeDefined()
    expect(JSON.stringify(node.received)).not.toContain(secret)
    const stored = await fleet.api('GET', `/api/chat/conversations/${r.accepted.conversationId}/messages`, { token })
    expect(JSON.stringify(stored.body)).not.toContain(secret)
    expect(stored.body.items[0].content).toBe('the smtp password is [REDACTED:secret] keep it')
    await client.close()
  })
})
