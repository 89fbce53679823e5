// A sleep that can be cut short: loops wait on it between rounds, NOTIFY and stop() wake it early.
export function createWaker () {
  let pending: (() => void) | undefined
  let woken = false
  return {
    /** Resolves after `ms`, or at once if wake() was called since the last wait. */
    wait: async (ms: number) => {
      if (woken) { woken = false; return }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, ms)
        function done () { clearTimeout(timer); pending = undefined; resolve() }
        pending = done
      })
      woken = false
    },
    wake: () => { if (pending) pending(); else woken = true }
  }
}

/** The message of an unknown thrown value, one line, bounded: safe to store or log without a stack. */
export function errorMessage (err: unknown, max = 500): string {
  const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err)
  const line = text.split('\n')[0] ?? ''
  return line.length > max ? `${line.slice(0, max - 1)}…` : line
}
