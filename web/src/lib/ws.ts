// The `robbie.chat.v1` client (SPEC §3.1): hello with the access token, seq tracking, resume after a drop with
// backoff, pings, auth.refresh when the server warns of expiry, live topics, and the offline outbox of chat
// messages. One socket per signed-in tab (`ensureChatSocket`); `connection` is what the header's dot shows.
import { useEffect, useState } from 'preact/hooks'
import { isMood, mood, MOOD_REASON } from './mood.js'
import { accessToken, getAccessToken, getSession, onSessionChange, refresh } from './session.js'
import { createOfflineQueue, nextOrder, type OfflineQueue, type QueuedMessage } from './offline-queue.js'

export type ConnectionState = 'online' | 'reconnecting' | 'offline'
export interface ConnectionStatus { state: ConnectionState, queued: number }
export type Topic = 'priorities' | 'actions' | 'sync' | 'mesh' | 'notes'
export interface Frame { type: string, seq?: number, ts?: string, [key: string]: unknown }
export interface Welcome extends Frame {
  sessionId: string
  resumed: boolean
  user: { id: string, name: string, role: string }
  personality: Record<string, unknown>
  mood: string
  modelAvailable: boolean
  killswitch: boolean
}
export interface LiveFrame { topic: string, event: string, data?: unknown }

export interface Readable<T> { get (): T, subscribe (fn: (value: T) => void): () => void }
export function writable<T> (initial: T): Readable<T> & { set (value: T): void } {
  let value = initial
  const subs = new Set<(value: T) => void>()
  return {
    get: () => value,
    set (next) { value = next; for (const fn of subs) fn(next) },
    subscribe (fn) { subs.add(fn); return () => { subs.delete(fn) } }
  }
}
/** A store's value in a component, re-rendering on change. */
export function useReadable<T> (store: Readable<T>): T {
  const [value, setValue] = useState(store.get())
  useEffect(() => { setValue(store.get()); return store.subscribe(setValue) }, [store])
  return value
}

export interface ChatSocketDeps {
  url: string
  userId: string
  /** a token valid for a while, or null when signed out */
  token: () => Promise<string | null>
  /** spends the refresh cookie when `stale` was refused; false when the session is over */
  refresh: (stale: string | null) => Promise<boolean>
  queue: OfflineQueue
  WebSocketImpl?: typeof WebSocket
  isOnline?: () => boolean
  backoff?: { baseMs: number, maxMs: number }
  pingMs?: number
}

type Outcome = { ok: true, frame: Frame } | { ok: false, frame?: Frame }
const PROTOCOL = 'robbie.chat.v1'
/** after this many failed attempts in a row the dot says offline rather than reconnecting (retries go on) */
const OFFLINE_AFTER = 4

export function createChatSocket (deps: ChatSocketDeps) {
  const WS = deps.WebSocketImpl ?? WebSocket
  const isOnline = deps.isOnline ?? (() => typeof navigator === 'undefined' || navigator.onLine)
  const { baseMs, maxMs } = deps.backoff ?? { baseMs: 500, maxMs: 15_000 }
  const pingMs = deps.pingMs ?? 25_000
  const status = writable<ConnectionStatus>({ state: 'reconnecting', queued: 0 })
  const welcome = writable<Welcome | null>(null)
  const queued = writable<QueuedMessage[]>([])
  const handlers = new Map<string, Set<(frame: Frame) => void>>()
  const topics = new Set<Topic>()
  const drafts = new Map<string, string>() // draftId → conversationId, once the first message was accepted
  const waiting = new Map<string, (outcome: Outcome) => void>()
  let ws: WebSocket | null = null
  let sessionId: string | null = null
  let lastSeq = 0
  let welcomed = false
  let everWelcomed = false
  let stopped = false
  let attempts = 0
  let authFailures = 0
  let retry: ReturnType<typeof setTimeout> | null = null
  let pinger: ReturnType<typeof setInterval> | null = null
  let pongDue: ReturnType<typeof setTimeout> | null = null
  let inflight: string | null = null
  let pumping = false

  function emit (type: string, frame: Frame): void {
    for (const key of [type, '*']) for (const fn of handlers.get(key) ?? []) fn(frame)
  }
  function setState (state: ConnectionState): void {
    status.set({ state, queued: status.get().queued })
  }
  async function refreshQueued (): Promise<void> {
    const items = await deps.queue.all()
    queued.set(items)
    status.set({ state: status.get().state, queued: items.filter((m) => m.clientMsgId !== inflight).length })
  }
  function rawSend (frame: Frame): boolean {
    if (!ws || ws.readyState !== WS.OPEN) return false
    ws.send(JSON.stringify(frame))
    return true
  }

  async function connect (): Promise<void> {
    if (stopped || ws) return
    const token = await fetchToken()
    if (stopped || ws) return
    if (!token) { stop(); return }
    const socket = new WS(deps.url, PROTOCOL)
    ws = socket
    socket.onopen = () => {
      const resume = sessionId ? { sessionId, lastSeq } : undefined
      socket.send(JSON.stringify({ type: 'hello', v: 1, token, ...(resume ? { resume } : {}), client: { name: 'robbie-web', version: '1' } }))
    }
    socket.onmessage = (event: MessageEvent) => {
      let frame: Frame
      try { frame = JSON.parse(String(event.data)) as Frame } catch { return }
      if (frame && typeof frame.type === 'string') onFrame(frame)
    }
    socket.onclose = (event: CloseEvent) => { onClose(socket, event.code) }
    socket.onerror = () => {} // a close event follows, which is where reconnecting happens
  }

  function onFrame (frame: Frame): void {
    if (typeof frame.seq === 'number') {
      if (frame.seq <= lastSeq) return // replayed twice around a resume: already handled
      lastSeq = frame.seq
    }
    switch (frame.type) {
      case 'welcome': onWelcome(frame as Welcome); break
      case 'pong': if (pongDue) { clearTimeout(pongDue); pongDue = null } break
      case 'auth.expiring': void refreshAuth(); break
      case 'chat.accepted': settle(frame.clientMsgId, { ok: true, frame }); break
      case 'chat.error': settle(frame.clientMsgId, { ok: false, frame }); break
    }
    emit(frame.type, frame)
  }

  function onWelcome (frame: Welcome): void {
    const reconnected = everWelcomed
    if (!frame.resumed) lastSeq = 0 // a new server session numbers its frames from 1 again
    sessionId = frame.sessionId
    welcomed = true
    everWelcomed = true
    attempts = 0
    authFailures = 0
    welcome.set(frame)
    setState('online')
    if (topics.size > 0) rawSend({ type: 'subscribe', topics: [...topics] })
    startPings()
    // screens refetch after any reconnect; a lost session also means missed frames (SPEC §3.1)
    if (reconnected) emit('reconnected', { type: 'reconnected', resumed: frame.resumed })
    void pump()
  }

  function onClose (socket: WebSocket, code: number): void {
    if (ws !== socket) return
    ws = null
    welcomed = false
    stopPings()
    for (const [id, done] of waiting) { waiting.delete(id); done({ ok: false }) }
    if (stopped) return
    if (code === 4403) { stop(); return } // the user was disabled
    if (code === 4401) {
      // the token was refused or revoked: one refresh, then give up if the server still refuses
      if (++authFailures > 2) { stop(); return }
      void deps.refresh(getToken()).then((ok) => { if (ok) schedule(0); else stop() })
      setState('reconnecting')
      return
    }
    schedule(code === 4429 ? 30_000 : undefined)
  }

  function schedule (delayMs?: number): void {
    if (stopped || retry) return
    attempts++
    const delay = delayMs ?? Math.min(maxMs, baseMs * 2 ** (attempts - 1)) * (0.5 + Math.random() / 2)
    setState(attempts > OFFLINE_AFTER || !isOnline() ? 'offline' : 'reconnecting')
    retry = setTimeout(() => { retry = null; void connect() }, delay)
  }

  let currentToken: string | null = null
  const getToken = () => currentToken
  async function fetchToken (): Promise<string | null> {
    currentToken = await deps.token()
    return currentToken
  }
  async function refreshAuth (): Promise<void> {
    await deps.refresh(currentToken)
    const token = await fetchToken()
    if (token) rawSend({ type: 'auth.refresh', token })
  }

  function startPings (): void {
    stopPings()
    pinger = setInterval(() => {
      if (!rawSend({ type: 'ping', nonce: String(Date.now()) }) || pongDue) return
      // no pong in time: the socket is dead without a close event (a laptop lid, a NAT drop)
      pongDue = setTimeout(() => { pongDue = null; ws?.close(4000, 'no pong') }, 10_000)
    }, pingMs)
  }
  function stopPings (): void {
    if (pinger) clearInterval(pinger)
    if (pongDue) clearTimeout(pongDue)
    pinger = null
    pongDue = null
  }

  function settle (clientMsgId: unknown, outcome: Outcome): void {
    if (typeof clientMsgId !== 'string') return
    const done = waiting.get(clientMsgId)
    if (done) { waiting.delete(clientMsgId); done(outcome) }
  }

  /** Sends the outbox one message at a time, in order, each after the previous one was accepted. */
  async function pump (): Promise<void> {
    if (pumping) return
    pumping = true
    try {
      while (welcomed && !stopped) {
        const head = (await deps.queue.all())[0]
        if (!head) break
        const conversationId = head.conversationId ?? (head.draftId ? drafts.get(head.draftId) ?? null : null)
        const outcome = new Promise<Outcome>((resolve) => { waiting.set(head.clientMsgId, resolve) })
        inflight = head.clientMsgId
        void refreshQueued()
        if (!rawSend({ type: 'chat.send', clientMsgId: head.clientMsgId, conversationId, content: head.content })) {
          waiting.delete(head.clientMsgId)
          break
        }
        const result = await outcome
        if (!result.ok && !result.frame) break // the socket closed: send it again after the reconnect
        if (!result.ok && result.frame?.retryable === true) {
          setTimeout(() => { void pump() }, 5_000) // e.g. rate limited: keep it queued and try again
          break
        }
        if (result.ok && head.draftId) drafts.set(head.draftId, String(result.frame.conversationId))
        await deps.queue.remove(head.clientMsgId)
      }
    } finally {
      inflight = null
      pumping = false
      await refreshQueued()
    }
  }

  function stop (): void {
    stopped = true
    if (retry) clearTimeout(retry)
    retry = null
    stopPings()
    const socket = ws
    ws = null
    welcomed = false
    if (socket) {
      socket.onmessage = null
      // closing a socket still connecting makes the browser log an error: let it open, then close it
      if (socket.readyState === WS.CONNECTING) socket.onopen = () => { socket.close(1000) }
      else socket.close(1000)
    }
    setState('offline')
  }

  const onOnline = () => {
    if (stopped || ws) return
    if (retry) { clearTimeout(retry); retry = null }
    attempts = 0
    void connect()
  }
  const onOffline = () => { if (!stopped) setState('offline') }
  if (typeof window !== 'undefined') {
    window.addEventListener('online', onOnline)
    window.addEventListener('offline', onOffline)
  }

  void refreshQueued()
  void connect()

  function on (type: string, fn: (frame: Frame) => void): () => void {
    let set = handlers.get(type)
    if (!set) handlers.set(type, (set = new Set()))
    set.add(fn)
    return () => { set.delete(fn) }
  }

  return {
    userId: deps.userId,
    status: status as Readable<ConnectionStatus>,
    welcome: welcome as Readable<Welcome | null>,
    /** messages not yet accepted by the server, oldest first (shown as "queued") */
    queued: queued as Readable<QueuedMessage[]>,
    /** Listens to server frames of one type (`'*'` for all, `'reconnected'` after a reconnect). */
    on,
    /** A frame for the server when connected (chat.stop, chat.attach, personality.update); false when not. */
    send: (frame: Frame): boolean => welcomed && rawSend(frame),
    /** Queues a chat message (persisted) and sends it as soon as the socket is up. */
    async sendChat (msg: { conversationId: string | null, draftId?: string, content: string }): Promise<QueuedMessage> {
      const item: QueuedMessage = { clientMsgId: crypto.randomUUID(), userId: deps.userId, order: nextOrder(), ...msg }
      await deps.queue.add(item)
      await refreshQueued()
      void pump()
      return item
    },
    /** Live pushes of a topic; also called with event "reconnected" so a screen refetches what it missed. */
    live (topic: Topic, fn: (live: LiveFrame) => void): () => void {
      if (!topics.has(topic)) {
        topics.add(topic)
        if (welcomed) rawSend({ type: 'subscribe', topics: [...topics] })
      }
      const offLive = on('live', (f) => { if (f.topic === topic) fn(f as unknown as LiveFrame) })
      const offRe = on('reconnected', () => { fn({ topic, event: 'reconnected' }) })
      return () => { offLive(); offRe() }
    },
    close (): void {
      stop()
      if (typeof window !== 'undefined') {
        window.removeEventListener('online', onOnline)
        window.removeEventListener('offline', onOffline)
      }
    }
  }
}
export type ChatSocket = ReturnType<typeof createChatSocket>

/** What the header shows: follows the current tab's socket. */
export const connection = writable<ConnectionStatus>({ state: 'offline', queued: 0 })
let current: ChatSocket | null = null
let unmirror: (() => void) | null = null

/** The tab's socket for the signed-in user, opened on first use; null when signed out. */
export function ensureChatSocket (): ChatSocket | null {
  const session = getSession()
  if (!session) return null
  if (current?.userId === session.user.id) return current
  closeChatSocket()
  const socket = createChatSocket({
    url: `${window.location.protocol === 'https:' ? 'wss' : 'ws'}://${window.location.host}/ws`,
    userId: session.user.id,
    token: accessToken,
    refresh: async (stale) => await refresh(stale ?? getAccessToken()),
    queue: createOfflineQueue(session.user.id)
  })
  current = socket
  const offStatus = socket.status.subscribe((s) => { connection.set(s) })
  // the avatar follows the server: the derived mood on welcome and on a change, transient moods as they come
  const setMood = (value: unknown, reason?: unknown) => {
    if (isMood(value)) mood.set({ mood: value, reason: typeof reason === 'string' && reason ? reason : MOOD_REASON[value] })
  }
  const offFrames = [
    socket.on('welcome', (f) => { setMood(f.mood) }),
    socket.on('personality.changed', (f) => { setMood(f.mood) }),
    socket.on('mood', (f) => { setMood(f.mood, f.reason) })
  ]
  unmirror = () => { offStatus(); for (const off of offFrames) off() }
  connection.set(socket.status.get())
  return socket
}

export function closeChatSocket (): void {
  unmirror?.()
  unmirror = null
  current?.close()
  current = null
  connection.set({ state: 'offline', queued: 0 })
}

onSessionChange((s) => { if (!s || (current && current.userId !== s.user.id)) closeChatSocket() })
