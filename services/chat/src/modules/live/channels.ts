// Redis pub/sub channels by full name, multiplexed on one subscriber connection per process (a subscribed
// connection can run nothing else). Used for per-session frames, per-message streams and chat's control
// channel; what travels here may be lost, so every reader can also read the Redis lists behind it.
import { waitReady, type BusRedis } from '@robbie/bus'

type Listener = (message: string) => void

export function createChannels (redis: BusRedis) {
  const listeners = new Map<string, Set<Listener>>()
  let sub: ReturnType<BusRedis['duplicate']> | undefined
  let closed = false

  function connection () {
    if (!sub) {
      sub = redis.duplicate({ name: 'chat:channels' })
      sub.on('message', (channel: string, message: string) => {
        for (const fn of listeners.get(channel) ?? []) {
          try { fn(message) } catch { /* a listener's failure is its own */ }
        }
      })
    }
    return sub
  }

  return {
    /** Resolves once subscribed, with a function that unsubscribes. */
    async subscribe (channel: string, fn: Listener): Promise<() => Promise<void>> {
      if (closed) throw new Error('channels closed')
      let set = listeners.get(channel)
      if (!set) {
        set = new Set()
        listeners.set(channel, set)
        try {
          const conn = connection()
          await waitReady(conn)
          await conn.subscribe(channel)
        } catch (err) {
          listeners.delete(channel)
          throw err
        }
      }
      set.add(fn)
      const own = set
      return async () => {
        own.delete(fn)
        if (own.size === 0 && listeners.get(channel) === own) {
          listeners.delete(channel)
          await sub?.unsubscribe(channel).catch(() => {})
        }
      }
    },
    publish: async (channel: string, message: string) => await redis.client.publish(channel, message),
    async close () {
      closed = true
      listeners.clear()
      if (sub) { sub.disconnect(); sub = undefined }
    }
  }
}
export type Channels = ReturnType<typeof createChannels>
