// Scripted faults: one kept until heal() (fail) and a queue of counted ones (failNext). A request takes at
// most one fault, the persistent one first.
import type { FakeFault } from './types.js'

export const GENERATION_PATHS = ['/api/chat', '/api/generate', '/v1/chat/completions']
const STREAM_KINDS = new Set(['die-mid-stream', 'slow', 'stall-after'])

function applies (fault: FakeFault, path: string): boolean {
  // A stream fault means nothing to /api/ps, and a health poll must not use up a fault meant for a chat.
  const paths = fault.paths ?? (STREAM_KINDS.has(fault.kind) ? GENERATION_PATHS : undefined)
  return paths === undefined || paths.includes(path)
}

export function createFaults () {
  let persistent: FakeFault | undefined
  const queue: Array<{ fault: FakeFault, remaining: number }> = []
  return {
    failNext (fault: FakeFault, times = 1) { queue.push({ fault, remaining: times }) },
    fail (fault: FakeFault) { persistent = fault },
    heal () { persistent = undefined; queue.length = 0 },
    persistent: () => persistent,
    take (path: string): FakeFault | undefined {
      if (persistent && applies(persistent, path)) return persistent
      const entry = queue.find((e) => applies(e.fault, path))
      if (!entry) return undefined
      entry.remaining--
      if (entry.remaining <= 0) queue.splice(queue.indexOf(entry), 1)
      return entry.fault
    }
  }
}

export type Faults = ReturnType<typeof createFaults>
