// Following one assistant message as it streams (chat.attach, SSE, the REST call that waits): subscribe to
// its channel first, replay its kept frames, then pass on live ones, dropping any already replayed. It ends
// with chat.done.
import type { Channels } from '../live/channels.js'
import type { FrameBus, ServerFrame } from '../ws/frame-bus.js'

export interface Following {
  /** resolves when chat.done went out, or when stopped */
  finished: Promise<void>
  /** frames handed on so far */
  count: () => number
  stop: () => Promise<void>
}

/** The frames from delta `fromIndex` on: everything after the delta before it (all of them from 0). */
function framesFrom (frames: ServerFrame[], fromIndex: number): ServerFrame[] {
  if (fromIndex <= 0) return frames
  const at = frames.findIndex((f) => f.type === 'chat.delta' && f.index === fromIndex - 1)
  return at === -1 ? frames.filter((f) => f.type !== 'chat.delta' || (f.index as number) >= fromIndex) : frames.slice(at + 1)
}

export const textOf = (frames: ServerFrame[]): string =>
  frames.filter((f) => f.type === 'chat.delta').map((f) => f.text as string).join('')

export function createMessageStreams (deps: { bus: FrameBus, channels: Channels }) {
  return {
    /** The streamed text so far of a message still generating ('' when nothing was kept). */
    async textSoFar (mid: string): Promise<string> {
      return textOf(await deps.bus.messageFrames(mid))
    },

    async follow (mid: string, onFrame: (frame: ServerFrame) => void | Promise<void>, fromIndex = 0): Promise<Following> {
      let replayed = -1 // the position (1-based) reached by the replay; -1 while it runs
      let handed = 0
      let stopped = false
      const early: Array<{ pos: number, frame: ServerFrame }> = []
      let finish = () => {}
      const finished = new Promise<void>((resolve) => { finish = resolve })
      let chain: Promise<void> = Promise.resolve()

      const hand = (frame: ServerFrame) => {
        chain = chain.then(async () => {
          if (stopped) return
          handed++
          await onFrame(frame)
          if (frame.type === 'chat.done') await stop()
        }).catch(() => {})
      }
      const unsubscribe = await deps.channels.subscribe(deps.bus.keys.messageChannel(mid), (message) => {
        const bar = message.indexOf('|')
        const pos = Number(message.slice(0, bar))
        const frame = JSON.parse(message.slice(bar + 1)) as ServerFrame
        if (replayed === -1) early.push({ pos, frame })
        else if (pos > replayed) { replayed = pos; hand(frame) }
      })
      async function stop () {
        if (stopped) return
        stopped = true
        await unsubscribe()
        finish()
      }

      const kept = await deps.bus.messageFrames(mid)
      for (const f of framesFrom(kept, fromIndex)) hand(f)
      replayed = kept.length
      for (const e of early) if (e.pos > replayed) { replayed = e.pos; hand(e.frame) }
      return { finished, count: () => handed, stop }
    }
  }
}
export type MessageStreams = ReturnType<typeof createMessageStreams>
