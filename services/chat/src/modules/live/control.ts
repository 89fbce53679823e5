// Chat's own control channel `<prefix>chat:ctl`, heard by every replica: stop a generation wherever it runs,
// act on a user's new status or role (their sockets may live anywhere), push a frame to a user's sockets.
// Pub/sub may lose a message; each use tolerates that (a stop can be sent again; the UI refetches).
import type { Channels } from './channels.js'

type ControlMessage =
  | { kind: 'stop', messageId: string }
  | { kind: 'user', userId: string, status: string, role: string }
  | { kind: 'push', userId: string, frame: { type: string } & Record<string, unknown> }
  | { kind: 'company' }

export function createControl (opts: { channels: Channels, prefix: string }) {
  const channel = `${opts.prefix}chat:ctl`
  const handlers = new Set<(m: ControlMessage) => void>()
  let unsubscribe: (() => Promise<void>) | undefined
  return {
    publish: async (m: ControlMessage) => await opts.channels.publish(channel, JSON.stringify(m)),
    on (fn: (m: ControlMessage) => void): void { handlers.add(fn) },
    async start (): Promise<void> {
      unsubscribe = await opts.channels.subscribe(channel, (raw) => {
        const m = JSON.parse(raw) as ControlMessage
        for (const fn of handlers) fn(m)
      })
    },
    async stop (): Promise<void> { await unsubscribe?.() }
  }
}
export type Control = ReturnType<typeof createControl>
