// Idle robbie.chat.v1 sessions for bench/chat.ts: many WebSockets in this one process (ws), each sending `hello`
// with an API key and then an application `ping` every `pingMs`, as an idle client would. Counts what was held
// and what failed (and why), and the round trips of the pings. Also the memory of a process from /proc.
import { readFileSync, readdirSync } from 'node:fs'
import { performance } from 'node:perf_hooks'
import WebSocket from 'ws'

const PROTOCOL = 'robbie.chat.v1'

export interface PoolOptions {
  /** ws://<gateway>/ws */
  url: string
  pingMs: number
  /** time allowed from connecting to `welcome` */
  helloTimeoutMs: number
}

interface Session { ws: WebSocket, timer?: NodeJS.Timeout, open: boolean }

export function createSessionPool (opts: PoolOptions) {
  const sessions: Session[] = []
  /** failures before `welcome`, by reason; closes after it, by close code */
  const failed = new Map<string, number>()
  const dropped = new Map<string, number>()
  let window = { pings: 0, pongs: 0, rtts: [] as number[] }
  const bump = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1)

  function open (key: string): Promise<boolean> {
    return new Promise((resolve) => {
      const ws = new WebSocket(opts.url, PROTOCOL, { perMessageDeflate: false, handshakeTimeout: opts.helloTimeoutMs })
      const s: Session = { ws, open: false }
      let settled = false
      const settle = (ok: boolean, why?: string) => {
        if (settled) return
        settled = true
        clearTimeout(deadline)
        if (!ok) { bump(failed, why ?? '?'); ws.terminate() }
        resolve(ok)
      }
      const deadline = setTimeout(() => { settle(false, 'no welcome in time') }, opts.helloTimeoutMs)
      ws.on('open', () => { ws.send(JSON.stringify({ type: 'hello', v: 1, token: key, client: { name: 'bench-chat', version: '1' } })) })
      ws.on('unexpected-response', (_req, res) => { settle(false, `HTTP ${res.statusCode ?? '?'}`) })
      ws.on('error', (err) => { settle(false, `error ${(err as NodeJS.ErrnoException).code ?? err.message}`) })
      ws.on('message', (data) => {
        const frame = JSON.parse(String(data)) as { type: string, nonce?: string }
        if (frame.type === 'welcome') {
          if (settled) return
          s.open = true
          sessions.push(s)
          // spread the pings over the interval, so that they do not all come at once
          const first = setTimeout(() => {
            ping()
            s.timer = setInterval(ping, opts.pingMs)
          }, Math.random() * opts.pingMs)
          s.timer = first
          settle(true)
        } else if (frame.type === 'pong' && frame.nonce) {
          window.pongs++
          window.rtts.push(performance.now() - Number(frame.nonce))
        }
      })
      ws.on('close', (code) => {
        if (!settled) { settle(false, `closed ${code} before welcome`); return }
        if (s.open) { s.open = false; bump(dropped, String(code)) }
        clearTimeout(s.timer)
        clearInterval(s.timer)
      })
      function ping () {
        if (ws.readyState !== WebSocket.OPEN) return
        window.pings++
        ws.send(JSON.stringify({ type: 'ping', nonce: performance.now().toFixed(3) }))
      }
    })
  }

  return {
    /** Opens `keys.length` sessions, `concurrency` handshakes at a time; the number that got `welcome`. */
    async openMany (keys: string[], concurrency: number): Promise<number> {
      let next = 0
      let ok = 0
      await Promise.all(Array.from({ length: concurrency }, async () => {
        while (next < keys.length) if (await open(keys[next++]!)) ok++
      }))
      return ok
    },
    held: () => sessions.filter((s) => s.open && s.ws.readyState === WebSocket.OPEN).length,
    failed: () => new Map(failed),
    dropped: () => new Map(dropped),
    /** Starts a new window of ping counts and round trips; returns the one that ends. */
    takeWindow () {
      const w = window
      window = { pings: 0, pongs: 0, rtts: [] }
      return w
    },
    async closeAll (): Promise<void> {
      const closing = sessions.filter((s) => s.ws.readyState === WebSocket.OPEN).map((s) => new Promise<void>((resolve) => {
        s.open = false
        s.ws.once('close', () => { resolve() })
        s.ws.close(1000, 'bench done')
        setTimeout(() => { s.ws.terminate(); resolve() }, 10_000).unref()
      }))
      await Promise.all(closing)
      for (const s of sessions) { clearTimeout(s.timer); clearInterval(s.timer) }
    }
  }
}

/** VmRSS and VmHWM of a process, in MB (0 when it is gone). */
export function memoryOf (pid: number): { rssMb: number, hwmMb: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    const kb = (field: string) => Number((new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(status))?.[1] ?? 0)
    return { rssMb: kb('VmRSS') / 1024, hwmMb: kb('VmHWM') / 1024 }
  } catch {
    return { rssMb: 0, hwmMb: 0 }
  }
}

/** The children of a process (nginx's workers under its master). */
export function childrenOf (pid: number): number[] {
  const out: number[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      // the fields after the command (which may hold spaces) start after its closing parenthesis
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
      if (ppid === pid) out.push(Number(entry))
    } catch { /* gone meanwhile */ }
  }
  return out
}

/** The soft limit of open files of a process (its "Max open files"; -1 when not readable). */
export function fdLimitOf (pid: number): number {
  try {
    return Number((/^Max open files\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/limits`, 'utf8')))?.[1] ?? -1)
  } catch { return -1 }
}

/** Open file descriptors of a process (-1 when not readable). */
export function fdsOf (pid: number): number {
  try { return readdirSync(`/proc/${pid}/fd`).length } catch { return -1 }
}
