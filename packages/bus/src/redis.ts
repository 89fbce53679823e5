// Redis clients for the bus. SPEC §0.5: every client uses maxRetriesPerRequest 1, connectTimeout 500 and no offline
// queue, so a call against an unreachable Redis fails within about a second instead of hanging a request.
import { Redis, type RedisOptions } from 'ioredis'

/** Full Redis names. Built by hand rather than with ioredis `keyPrefix`, which does not reach every stream argument. */
export function busKeys (prefix: string) {
  return {
    stream: (producer: string) => `${prefix}events:${producer}`,
    dead: (group: string) => `${prefix}dead:${group}`,
    epoch: `${prefix}bus:epoch`,
    live: `${prefix}live`,
    hint: (name: string) => `${prefix}hint:${name}`
  }
}
export type BusKeys = ReturnType<typeof busKeys>

export interface RedisClientOptions {
  /** Connection name shown by CLIENT LIST. */
  name?: string
  /** For a connection that runs blocking reads (XREADGROUP BLOCK): client-side guard of block + grace, no command timeout. */
  blockingMs?: number
}

/** The ioredis options every bus connection uses. */
export function redisOptions (opts: RedisClientOptions = {}): RedisOptions {
  return {
    maxRetriesPerRequest: 1,
    connectTimeout: 500,
    enableOfflineQueue: false,
    lazyConnect: false,
    // A connected but silent server must not hang a call either; blocking reads get their own bound instead.
    ...(opts.blockingMs === undefined
      ? { commandTimeout: 1000 }
      : { blockingTimeout: opts.blockingMs, blockingTimeoutGrace: 1000 }),
    ...(opts.name === undefined ? {} : { connectionName: opts.name }),
    // Capped backoff: reconnect quickly after a restart, never hammer a dead server more than every 2 s.
    retryStrategy: (times: number) => Math.min(50 * 2 ** Math.min(times, 6), 2000),
    // After a Sentinel failover the old primary answers READONLY: reconnect (2 = and resend) to reach the new one.
    reconnectOnError: (err: Error) => (err.message.startsWith('READONLY') ? 2 : false)
  }
}

/** Resolves when the client is ready; rejects after `timeoutMs` (commands fail meanwhile: there is no offline queue). */
export async function waitReady (client: Redis, timeoutMs = 2000): Promise<void> {
  if (client.status === 'ready') return
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => { done(); reject(new Error(`redis not ready after ${timeoutMs} ms`)) }, timeoutMs)
    const onReady = () => { done(); resolve() }
    const done = () => { clearTimeout(timer); client.off('ready', onReady) }
    client.on('ready', onReady)
  })
}

export interface CreateRedisOptions extends RedisClientOptions {
  url: string
  /** The fleet's prefix, e.g. `robbie:` (ROBBIE_REDIS_PREFIX). */
  prefix: string
}

export function createRedis (opts: CreateRedisOptions) {
  const client = new Redis(opts.url, redisOptions(opts))
  // ioredis emits 'error' on every failed reconnect; without a listener Node would crash the process.
  client.on('error', () => {})
  return {
    client,
    url: opts.url,
    prefix: opts.prefix,
    keys: busKeys(opts.prefix),
    /** A new dedicated connection to the same server (blocking reads, subscriptions). */
    duplicate: (extra: RedisClientOptions = {}) => {
      const dup = new Redis(opts.url, redisOptions({ name: opts.name, ...extra }))
      dup.on('error', () => {})
      return dup
    },
    ready: (timeoutMs?: number) => waitReady(client, timeoutMs),
    close: async () => { await closeClient(client) }
  }
}
export type BusRedis = ReturnType<typeof createRedis>

/** QUIT when connected (lets pending replies arrive), else drop the socket and stop reconnecting. */
export async function closeClient (client: Redis): Promise<void> {
  if (client.status === 'end') return
  if (client.status === 'ready') {
    try { await client.quit(); return } catch { /* fall through to disconnect */ }
  }
  client.disconnect()
}

/** `[k1, v1, k2, v2]` as returned by stream commands → an object. */
export function fieldsToObject (fields: unknown): Record<string, string> {
  const out: Record<string, string> = {}
  if (!Array.isArray(fields)) return out
  for (let i = 0; i + 1 < fields.length; i += 2) out[String(fields[i])] = String(fields[i + 1])
  return out
}

/** Deletes every key under `prefix` with SCAN + UNLINK (never FLUSHALL: other fleets share the server). */
export async function deletePrefix (client: Redis, prefix: string): Promise<number> {
  if (prefix.length < 3 || !prefix.endsWith(':')) throw new Error(`refusing to delete under the prefix '${prefix}'`)
  let cursor = '0'
  let deleted = 0
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500)
    cursor = next
    if (keys.length > 0) deleted += await client.unlink(...keys)
  } while (cursor !== '0')
  return deleted
}
