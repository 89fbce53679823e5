// Chat messages (and so `/task add`) typed while the socket is down, kept in IndexedDB with their clientMsgId so a
// reload doesn't lose them (SPEC §10 offline behaviour). The socket sends them once, in order, on reconnect; the
// server's clientMsgId idempotency makes a second send (another tab, a drop before `chat.accepted`) harmless.
// Without IndexedDB (private windows in some browsers) the queue lives in memory for the page's lifetime.

export interface QueuedMessage {
  clientMsgId: string
  userId: string
  /** null starts a conversation; `draftId` then ties later messages of the same new conversation to it */
  conversationId: string | null
  draftId?: string
  content: string
  /** increasing insertion order */
  order: number
}

export interface OfflineQueue {
  all (): Promise<QueuedMessage[]>
  add (message: QueuedMessage): Promise<void>
  put (message: QueuedMessage): Promise<void>
  remove (clientMsgId: string): Promise<void>
}

const DB = 'robbie'
const STORE = 'chat-outbox'

function request<T> (req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => { resolve(req.result) }
    req.onerror = () => { reject(req.error ?? new Error('indexeddb request failed')) }
  })
}

function openDb (idb: IDBFactory): Promise<IDBDatabase> {
  const req = idb.open(DB, 1)
  req.onupgradeneeded = () => {
    const store = req.result.createObjectStore(STORE, { keyPath: 'clientMsgId' })
    store.createIndex('userId', 'userId')
  }
  return request(req)
}

function memoryQueue (userId: string): OfflineQueue {
  const items = new Map<string, QueuedMessage>()
  return {
    all: async () => [...items.values()].filter((m) => m.userId === userId).sort((a, b) => a.order - b.order),
    add: async (m) => { items.set(m.clientMsgId, m) },
    put: async (m) => { items.set(m.clientMsgId, m) },
    remove: async (id) => { items.delete(id) }
  }
}

/** The queue of one user's unsent chat messages; falls back to memory when IndexedDB can't be opened. */
export function createOfflineQueue (userId: string, idb: IDBFactory | undefined = globalThis.indexedDB): OfflineQueue {
  const memory = memoryQueue(userId)
  if (!idb) return memory
  let db: Promise<IDBDatabase | null> | null = null
  const open = () => (db ??= openDb(idb).catch(() => null))
  async function tx<T> (mode: IDBTransactionMode, fn: (s: IDBObjectStore) => IDBRequest<T>, fallback: () => Promise<T>): Promise<T> {
    const d = await open()
    if (!d) return await fallback()
    return await request(fn(d.transaction(STORE, mode).objectStore(STORE)))
  }
  return {
    async all () {
      const rows = await tx('readonly', (s) => s.index('userId').getAll(userId) as IDBRequest<QueuedMessage[]>, memory.all)
      return rows.sort((a, b) => a.order - b.order)
    },
    async add (m) { await tx('readwrite', (s) => s.add(m), async () => { await memory.add(m); return m.clientMsgId }) },
    async put (m) { await tx('readwrite', (s) => s.put(m), async () => { await memory.put(m); return m.clientMsgId }) },
    async remove (id) { await tx<undefined>('readwrite', (s) => s.delete(id), async () => { await memory.remove(id); return undefined }) }
  }
}

let last = 0
/** An insertion order that keeps increasing even within one millisecond. */
export function nextOrder (): number {
  last = Math.max(last + 1, Date.now() * 1000)
  return last
}
