// One socket of robbie.chat.v1 (SPEC §3.1): hello within the time limit, then frames in order. Every server
// frame but welcome and pong is numbered in the socket's session and reaches it through the session's Redis
// channel, so a resumed session replays exactly the frames after `lastSeq` and then continues live, whichever
// replica produced them. A resume takes the session over: the socket that held it is closed.
import { randomUUID } from 'node:crypto'
import type { WebSocket } from 'ws'
import type { FastifyBaseLogger } from 'fastify'
import { uuidv7, type Identity } from '@robbie/contracts'
import { RobbieError, type Limiter } from '@robbie/service-kit'
import type { Personality } from '../assistant.types.js'
import type { ConversationsRepository } from '../conversations/conversations.repository.js'
import type { Engine } from '../engine/engine.js'
import { RETRYABLE } from '../engine/engine.errors.js'
import type { Following } from '../engine/message-stream.js'
import type { Channels } from '../live/channels.js'
import { seqOf, type FrameBus, type ServerFrame } from './frame-bus.js'
import { parseFrame, type ClientFrame } from './frames.js'
import type { Hub, HubSocket } from './hub.js'
import type { SocketAuth, SocketCredential } from './socket-auth.js'

export interface ConnectionDeps {
  auth: SocketAuth
  hub: Hub
  bus: FrameBus
  channels: Channels
  engine: Pick<Engine, 'send' | 'stop' | 'streams' | 'modelAvailable'>
  repo: Pick<ConversationsRepository, 'findMessageAnyOwner'>
  personality: { get: (userId: string) => Promise<Personality>, update: (userId: string, change: Record<string, unknown>) => Promise<unknown> }
  userName: (userId: string) => Promise<string>
  killswitch: () => Promise<boolean>
  limiter: Pick<Limiter, 'hit'>
  log: FastifyBaseLogger
  timing: { helloMs: number, pingMs: number, idleMs: number, expiringLeadMs: number }
}

const BAD_FRAMES_WINDOW_MS = 60_000
const BAD_FRAMES_MAX = 3

const codeOf = (err: unknown) => err instanceof RobbieError ? { code: err.code, message: err.message } : { code: 'CHAT_UNAVAILABLE', message: 'Something failed; try again' }

export function handleConnection (socket: WebSocket, deps: ConnectionDeps): void {
  const id = randomUUID()
  let state: 'hello' | 'open' | 'closed' = 'hello'
  let cred: SocketCredential | null = null
  let sessionId = ''
  let lastSeen = Date.now()
  let sentSeq = 0
  let replaying = true
  const held: string[] = []
  const bad: number[] = []
  const topics = new Set<string>()
  const following = new Map<string, Following>()
  const timers: NodeJS.Timeout[] = []
  let expiryTimers: NodeJS.Timeout[] = []
  let unsubscribe: (() => Promise<void>) | undefined
  let registered = false
  let inbox: Promise<void> = Promise.resolve()
  const log = deps.log.child({ socketId: id })

  const me: HubSocket = {
    id,
    get userId () { return cred?.identity.id ?? '' },
    get role () { return cred?.identity.role },
    get keyId () { return cred?.identity.keyId },
    topics,
    push: (frame) => { void send(frame) },
    close: (code, reason) => { close(code, reason) }
  }

  const raw = (text: string) => { if (socket.readyState === socket.OPEN) socket.send(text) }
  /** A numbered frame of this session (it comes back through the session channel). */
  async function send (frame: ServerFrame): Promise<void> {
    if (state === 'closed' || !sessionId) return
    await deps.bus.toSession(sessionId, frame).catch((err: unknown) => { log.warn({ err }, 'frame not sent') })
  }

  function close (code: number, reason: string): void {
    if (state === 'closed') return
    state = 'closed'
    for (const t of [...timers, ...expiryTimers]) clearTimeout(t)
    if (socket.readyState === socket.OPEN || socket.readyState === socket.CONNECTING) socket.close(code, reason)
    void cleanup()
  }

  async function cleanup (): Promise<void> {
    state = 'closed'
    for (const t of [...timers, ...expiryTimers]) clearTimeout(t)
    for (const f of following.values()) await f.stop()
    following.clear()
    await unsubscribe?.().catch(() => {})
    if (registered) await deps.hub.unregister(me)
  }

  // Frames arriving on the session channel: numbered frames pass in order, once each; `!` lines are control.
  function onSessionMessage (message: string): void {
    if (message.startsWith('!')) {
      const ctl = JSON.parse(message.slice(1)) as { takeover?: string }
      if (ctl.takeover && ctl.takeover !== id) close(4000, 'session resumed elsewhere')
      return
    }
    if (replaying) { held.push(message); return }
    const seq = seqOf(message)
    if (seq <= sentSeq) return
    sentSeq = seq
    raw(message)
  }

  function badFrame (why: string): void {
    const now = Date.now()
    bad.push(now)
    while (bad.length > 0 && bad[0]! < now - BAD_FRAMES_WINDOW_MS) bad.shift()
    if (bad.length >= BAD_FRAMES_MAX) { close(4400, 'repeated bad frames'); return }
    void send({ type: 'error', code: 'CHAT_BAD_FRAME', message: why })
  }

  function armExpiry (): void {
    for (const t of expiryTimers) clearTimeout(t)
    expiryTimers = []
    const at = cred?.expiresAt
    if (!at) return
    const left = at - Date.now()
    expiryTimers.push(setTimeout(() => { void send({ type: 'auth.expiring', expiresAt: new Date(at).toISOString() }) }, Math.max(0, left - deps.timing.expiringLeadMs)))
    expiryTimers.push(setTimeout(() => { close(4401, 'credential expired') }, Math.max(0, left)))
  }

  async function openSession (frame: Extract<ClientFrame, { type: 'hello' }>): Promise<boolean> {
    const userId = cred!.identity.id
    const resume = frame.resume
    if (resume) {
      const info = await deps.bus.session(resume.sessionId)
      if (info && info.userId === userId && resume.lastSeq <= info.seq) {
        sessionId = resume.sessionId
        unsubscribe = await deps.channels.subscribe(deps.bus.keys.sessionChannel(sessionId), onSessionMessage)
        const kept = await deps.bus.sessionFrames(sessionId)
        const first = kept.length > 0 ? seqOf(kept[0]!) : info.seq + 1
        if (resume.lastSeq >= first - 1) {
          await deps.bus.control(sessionId, { takeover: id })
          await welcome(true)
          sentSeq = resume.lastSeq
          for (const f of kept) { const seq = seqOf(f); if (seq > sentSeq) { sentSeq = seq; raw(f) } }
          return true
        }
        await unsubscribe()
        held.length = 0
      }
    }
    sessionId = uuidv7()
    await deps.bus.openSession(sessionId, userId)
    unsubscribe = await deps.channels.subscribe(deps.bus.keys.sessionChannel(sessionId), onSessionMessage)
    await welcome(false)
    return false
  }

  async function welcome (resumed: boolean): Promise<void> {
    const identity = cred!.identity
    const [name, personality, modelAvailable, killswitch] = await Promise.all([
      deps.userName(identity.id), deps.personality.get(identity.id),
      deps.engine.modelAvailable(identity.id).catch(() => false), deps.killswitch().catch(() => false)
    ])
    const { mood, ...sliders } = personality
    raw(JSON.stringify({
      type: 'welcome',
      sessionId,
      resumed,
      protocol: 1,
      user: { id: identity.id, name, role: identity.role ?? 'member' },
      personality: sliders,
      mood,
      modelAvailable,
      killswitch,
      ts: new Date().toISOString()
    }))
  }

  async function hello (frame: Extract<ClientFrame, { type: 'hello' }>): Promise<void> {
    clearTimeout(helloTimer)
    const result = await deps.auth.authenticate(frame.token)
    if (result === 'unauthenticated') { close(4401, 'unauthenticated'); return }
    if (result === 'forbidden') { close(4403, 'chat:read and chat:write are needed'); return }
    cred = result
    if (!await deps.hub.register(me)) { close(4429, 'too many sockets'); return }
    registered = true
    if (state === 'closed') { await cleanup(); return }
    await openSession(frame)
    // the frames that arrived while replaying, then live
    replaying = false
    for (const m of held.splice(0)) onSessionMessage(m)
    state = 'open'
    armExpiry()
    timers.push(setInterval(() => { void tick() }, deps.timing.pingMs))
  }

  async function tick (): Promise<void> {
    if (state !== 'open') return
    if (Date.now() - lastSeen > deps.timing.idleMs) { close(1000, 'idle'); return }
    socket.ping()
    if (!await deps.auth.stillValid(cred!.identity)) { close(4401, 'credential revoked'); return }
    await Promise.all([deps.hub.refresh(me), deps.bus.touch(sessionId)]).catch(() => {})
  }

  async function chatError (frame: { clientMsgId?: string, messageId?: string }, err: unknown): Promise<void> {
    const { code, message } = codeOf(err)
    await send({ type: 'chat.error', ...frame, code, message, retryable: RETRYABLE.has(code) })
  }

  async function dispatch (frame: ClientFrame): Promise<void> {
    const identity: Identity = cred!.identity
    switch (frame.type) {
      case 'hello':
        badFrame('Already authenticated')
        return
      case 'ping':
        raw(JSON.stringify({ type: 'pong', nonce: frame.nonce, ts: new Date().toISOString() }))
        return
      case 'auth.refresh': {
        const next = await deps.auth.authenticate(frame.token)
        if (typeof next === 'string' || next.identity.id !== identity.id) {
          await send({ type: 'error', code: 'CHAT_UNAUTHENTICATED', message: 'That credential is not valid for this socket' })
          return
        }
        cred = next
        armExpiry()
        return
      }
      case 'chat.send': {
        const hit = await deps.limiter.hit('chat', `id:${identity.id}`)
        if (hit.current > hit.max) {
          await send({ type: 'chat.error', clientMsgId: frame.clientMsgId, code: 'CHAT_RATE_LIMITED', message: 'Too many messages; slow down', retryable: true })
          return
        }
        try {
          await deps.engine.send(identity, frame, { sessionId, channel: 'web' }, async (a) => { await send({ type: 'chat.accepted', ...a }) })
        } catch (err) {
          await chatError({ clientMsgId: frame.clientMsgId }, err)
        }
        return
      }
      case 'chat.stop':
        try {
          await deps.engine.stop(identity, frame.messageId)
        } catch (err) {
          await chatError({ messageId: frame.messageId }, err)
        }
        return
      case 'chat.attach':
        await attach(identity, frame.messageId, frame.fromIndex ?? 0)
        return
      case 'personality.update': {
        const { type: _type, ...change } = frame
        try {
          await deps.personality.update(identity.id, change)
        } catch (err) {
          await send({ type: 'error', ...codeOf(err) })
        }
        return
      }
      case 'subscribe':
        topics.clear()
        for (const t of frame.topics) topics.add(t)
    }
  }

  async function attach (identity: Identity, messageId: string, fromIndex: number): Promise<void> {
    const m = await deps.repo.findMessageAnyOwner(messageId)
    if (!m || m.userId !== identity.id) {
      await send({ type: 'chat.error', messageId, code: 'CHAT_MESSAGE_NOT_FOUND', message: 'No such message', retryable: false })
      return
    }
    await following.get(messageId)?.stop()
    const f = await deps.engine.streams.follow(messageId, async (frame) => { await send(frame) }, fromIndex)
    if (m.status !== 'streaming' && f.count() === 0) {
      await f.stop()
      await send({ type: 'chat.error', messageId, code: 'CHAT_NOT_GENERATING', message: 'This message is not streaming; load it over REST', retryable: false })
      return
    }
    following.set(messageId, f)
    void f.finished.then(() => { if (following.get(messageId) === f) following.delete(messageId) })
  }

  async function onFrame (data: string): Promise<void> {
    const frame = parseFrame(data)
    if (state === 'hello') {
      if ('bad' in frame || frame.type !== 'hello') { close(4401, 'the first frame must be hello'); return }
      await hello(frame)
      return
    }
    if (state !== 'open') return
    if ('bad' in frame) { badFrame(frame.bad); return }
    await dispatch(frame)
  }

  const helloTimer = setTimeout(() => { if (state === 'hello') close(4408, 'hello timeout') }, deps.timing.helloMs)
  timers.push(helloTimer)
  socket.on('message', (data, isBinary) => {
    lastSeen = Date.now()
    if (isBinary) {
      if (state === 'hello') close(4401, 'the first frame must be hello')
      else badFrame('Frames are JSON text')
      return
    }
    const text = Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data as ArrayBuffer).toString('utf8')
    inbox = inbox.then(async () => await onFrame(text)).catch((err: unknown) => {
      log.warn({ err }, 'frame failed')
      if (state === 'hello') close(1011, 'unavailable')
      else void send({ type: 'error', code: 'CHAT_UNAVAILABLE', message: 'That frame could not be handled; try again' })
    })
  })
  socket.on('pong', () => { lastSeen = Date.now() })
  socket.on('close', () => { void cleanup() })
}
