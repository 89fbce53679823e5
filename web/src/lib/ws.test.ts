// The robbie.chat.v1 client against an in-process WebSocket server that plays the chat service's part of SPEC §3.1.
import { afterEach, describe, expect, it } from 'vitest'
import { WebSocket as NodeWebSocket, WebSocketServer, type WebSocket as ServerSocket } from 'ws'
import { createOfflineQueue, type OfflineQueue } from './offline-queue.js'
import { createChatSocket, type ChatSocket, type Frame } from './ws.js'

interface Conn { socket: ServerSocket, frames: Frame[], protocol: string }

async function fakeServer (onFrame: (conn: Conn, frame: Frame, all: Conn[]) => void) {
  const conns: Conn[] = []
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0, handleProtocols: (protocols) => (protocols.has('robbie.chat.v1') ? 'robbie.chat.v1' : false) })
  server.on('connection', (socket) => {
    const conn: Conn = { socket, frames: [], protocol: socket.protocol }
    conns.push(conn)
    socket.on('message', (data) => {
      const frame = JSON.parse(String(data)) as Frame
      conn.frames.push(frame)
      onFrame(conn, frame, conns)
    })
  })
  await new Promise<void>((resolve) => { server.on('listening', resolve) })
  const { port } = server.address() as { port: number }
  return { url: `ws://127.0.0.1:${port}/ws`, conns, close: () => new Promise<void>((resolve) => { for (const c of conns) c.socket.terminate(); server.close(() => { resolve() }) }) }
}

const send = (conn: Conn, frame: Frame) => { conn.socket.send(JSON.stringify({ ts: new Date().toISOString(), ...frame })) }
const welcome = (conn: Conn, sessionId: string, resumed: boolean) =>
  send(conn, { type: 'welcome', sessionId, resumed, protocol: 1, user: { id: 'u1', name: 'U', role: 'owner' }, personality: {}, mood: 'friendly', modelAvailable: true, killswitch: false })

async function until (check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (check()) return
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  throw new Error(`timed out waiting for ${what}`)
}

let socket: ChatSocket | null = null
let server: Awaited<ReturnType<typeof fakeServer>> | null = null
afterEach(async () => { socket?.close(); await server?.close(); socket = null; server = null })

function client (url: string, opts: { token?: () => Promise<string | null>, refresh?: () => Promise<boolean>, queue?: OfflineQueue } = {}) {
  return createChatSocket({
    url,
    userId: 'u1',
    token: opts.token ?? (async () => 'token-1'),
    refresh: opts.refresh ?? (async () => true),
    queue: opts.queue ?? createOfflineQueue('u1', undefined),
    WebSocketImpl: NodeWebSocket as unknown as typeof WebSocket,
    backoff: { baseMs: 20, maxMs: 50 },
    isOnline: () => true
  })
}

describe('chat socket', () => {
  it('says hello with the token and the subprotocol, and goes online on welcome', async () => {
    server = await fakeServer((conn, f) => { if (f.type === 'hello') welcome(conn, 's1', false) })
    socket = client(server.url)
    await until(() => socket!.status.get().state === 'online', 'online')
    const hello = server.conns[0]!.frames[0]!
    expect(server.conns[0]!.protocol).toBe('robbie.chat.v1')
    expect(hello).toMatchObject({ type: 'hello', v: 1, token: 'token-1' })
    expect(hello.resume).toBeUndefined()
  })

  it('sends messages queued while offline once, in order, new-conversation ones into the created conversation', async () => {
    let n = 0
    server = await fakeServer((conn, f) => {
      if (f.type === 'hello') welcome(conn, 's1', false)
      if (f.type === 'chat.send') {
        n++
        send(conn, { type: 'chat.accepted', seq: n, clientMsgId: f.clientMsgId, conversationId: f.conversationId ?? 'conv-new', userMessageId: `um${n}`, assistantMessageId: `am${n}` })
      }
    })
    const queue = createOfflineQueue('u1', undefined)
    socket = client('ws://127.0.0.1:9/ws', { queue }) // nothing listens: the messages wait in the outbox
    await socket.sendChat({ conversationId: null, draftId: 'd1', content: 'first' })
    await socket.sendChat({ conversationId: null, draftId: 'd1', content: '/task add second' })
    await socket.sendChat({ conversationId: 'c2', content: 'third' })
    expect(socket.status.get().queued).toBe(3)
    socket.close()

    socket = client(server.url, { queue })
    // the count and the list are two observables, updated on the same ack but not in the same tick
    await until(() => server!.conns[0]?.frames.filter((f) => f.type === 'chat.send').length === 3 && socket!.status.get().queued === 0 && socket!.queued.get().length === 0, 'three sends')
    const sends = server.conns[0]!.frames.filter((f) => f.type === 'chat.send')
    expect(sends.map((f) => [f.content, f.conversationId])).toEqual([['first', null], ['/task add second', 'conv-new'], ['third', 'c2']])
    expect(new Set(sends.map((f) => f.clientMsgId)).size).toBe(3)
    expect(socket.queued.get()).toEqual([])
  })

  it('resumes with the last seq after a drop and ignores frames it already had', async () => {
    const seen: number[] = []
    server = await fakeServer((conn, f, all) => {
      if (f.type !== 'hello') return
      if (all.length === 1) {
        welcome(conn, 's1', false)
        for (const seq of [1, 2, 3]) send(conn, { type: 'chat.delta', seq, messageId: 'm', index: seq - 1, text: `t${seq}` })
        setTimeout(() => { conn.socket.terminate() }, 50)
      } else {
        welcome(conn, 's1', true)
        for (const seq of [3, 4]) send(conn, { type: 'chat.delta', seq, messageId: 'm', index: seq - 1, text: `t${seq}` })
      }
    })
    socket = client(server.url)
    socket.on('chat.delta', (f) => { seen.push(Number(f.seq)) })
    await until(() => seen.includes(4), 'the frame after the resume')
    expect(server.conns[1]!.frames[0]).toMatchObject({ type: 'hello', resume: { sessionId: 's1', lastSeq: 3 } })
    expect(seen).toEqual([1, 2, 3, 4])
  })

  it('answers auth.expiring with auth.refresh and a fresh token', async () => {
    let token = 'token-1'
    server = await fakeServer((conn, f) => {
      if (f.type === 'hello') { welcome(conn, 's1', false); send(conn, { type: 'auth.expiring', seq: 1, expiresAt: new Date().toISOString() }) }
    })
    socket = client(server.url, { token: async () => token, refresh: async () => { token = 'token-2'; return true } })
    await until(() => server!.conns[0]?.frames.some((f) => f.type === 'auth.refresh') ?? false, 'auth.refresh')
    expect(server.conns[0]!.frames.find((f) => f.type === 'auth.refresh')).toMatchObject({ token: 'token-2' })
  })

  it('re-subscribes its live topics after a reconnect and tells listeners to refetch', async () => {
    const events: string[] = []
    server = await fakeServer((conn, f, all) => {
      if (f.type === 'hello') {
        welcome(conn, `s${all.length}`, false)
        if (all.length === 1) setTimeout(() => { conn.socket.terminate() }, 80)
      }
      if (f.type === 'subscribe' && all.length === 1) send(conn, { type: 'live', seq: 1, topic: 'priorities', event: 'changed', data: { version: 2 } })
    })
    socket = client(server.url)
    socket.live('priorities', (l) => { events.push(l.event) })
    await until(() => events.includes('reconnected') && (server!.conns[1]?.frames.some((f) => f.type === 'subscribe') ?? false), 'the second subscribe')
    expect(events).toEqual(['changed', 'reconnected'])
    expect(server.conns[1]!.frames.find((f) => f.type === 'subscribe')).toMatchObject({ topics: ['priorities'] })
  })

  it('stops and shows offline when the user is disabled (4403)', async () => {
    server = await fakeServer((conn, f) => { if (f.type === 'hello') conn.socket.close(4403, 'disabled') })
    socket = client(server.url)
    await until(() => server!.conns.length === 1 && socket!.status.get().state === 'offline', 'offline')
    await new Promise((resolve) => setTimeout(resolve, 150))
    expect(server.conns).toHaveLength(1)
  })
})
