// Lossy pub/sub (ARCHITECTURE decision 5): live UI pushes and cache-eviction hints. A subscriber that is
// disconnected misses messages by design; anything that must arrive is an event instead.
import { Redis } from 'ioredis'
import { closeClient, redisOptions, waitReady, type BusRedis } from './redis.js'

type Listener = (payload: unknown) => void

/** `url` defaults to the server of `redis`; the subscriber connection is opened on first subscribe. */
export function createHints (opts: { redis: BusRedis, url?: string }) {
  const { redis } = opts
  const listeners = new Map<string, Set<Listener>>()
  let subscriber: Redis | undefined

  // One subscriber connection per hints object: a subscribed connection can run nothing else.
  async function subscriberConn (): Promise<Redis> {
    if (!subscriber) {
      subscriber = opts.url === undefined
        ? redis.duplicate({ name: 'hints:subscriber' })
        : new Redis(opts.url, redisOptions({ name: 'hints:subscriber' }))
      subscriber.on('error', () => {})
      subscriber.on('message', (channel: string, message: string) => {
        let payload: unknown
        try { payload = JSON.parse(message) } catch { return }
        for (const fn of listeners.get(channel) ?? []) fn(payload)
      })
    }
    await waitReady(subscriber)
    return subscriber
  }

  async function on (channel: string, fn: Listener): Promise<() => Promise<void>> {
    let set = listeners.get(channel)
    if (!set) {
      set = new Set()
      listeners.set(channel, set)
      // ioredis re-subscribes by itself after a reconnect (autoResubscribe).
      await (await subscriberConn()).subscribe(channel)
    }
    set.add(fn)
    return async () => {
      set.delete(fn)
      if (set.size === 0 && listeners.get(channel) === set) {
        listeners.delete(channel)
        await subscriber?.unsubscribe(channel)
      }
    }
  }

  const send = async (channel: string, payload: unknown) => redis.client.publish(channel, JSON.stringify(payload))

  return {
    /** `<prefix>hint:<name>`; resolves with the number of receivers. */
    publish: (name: string, payload: unknown) => send(redis.keys.hint(name), payload),
    /** `<prefix>live`: pushes for connected browsers. */
    live: (payload: unknown) => send(redis.keys.live, payload),
    /** Resolves once subscribed, with a function that unsubscribes. */
    subscribe: (name: string, fn: Listener) => on(redis.keys.hint(name), fn),
    onLive: (fn: Listener) => on(redis.keys.live, fn),
    close: async () => {
      listeners.clear()
      if (subscriber) { await closeClient(subscriber); subscriber = undefined }
    }
  }
}
export type Hints = ReturnType<typeof createHints>
