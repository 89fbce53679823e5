// One generation per conversation at a time, further sends queued in order (SPEC §3.1), across replicas:
//   <p>chat:q:<cid>       the conversation's assistant message ids, oldest first (the head is running)
//   <p>chat:q:<cid>:lock  the runner's token, refreshed while it runs (a dead runner's lock lapses)
//   <p>chat:job:<mid>     what the runner needs to produce that message; `started` once a runner took it
// Whoever enqueues tries to become the runner; a runner that empties the queue releases the lock and looks
// once more, so an id pushed while it was finishing is never stranded.
import { randomUUID } from 'node:crypto'
import type { FastifyBaseLogger } from 'fastify'
import type { BusRedis } from '@robbie/bus'
import type { Identity } from '@robbie/contracts'

export interface Job {
  assistantMessageId: string
  userMessageId: string
  conversationId: string
  identity: Identity
  /** the WebSocket session the send came from (its frames go there too), or null for REST */
  sessionId: string | null
  channel: 'web' | 'api'
}

const LOCK_MS = 60_000
const JOB_MS = 3_600_000

const RELEASE = 'if redis.call(\'GET\', KEYS[1]) == ARGV[1] then return redis.call(\'DEL\', KEYS[1]) end return 0'
const REFRESH = 'if redis.call(\'GET\', KEYS[1]) == ARGV[1] then return redis.call(\'PEXPIRE\', KEYS[1], ARGV[2]) end return 0'

export function createTurnQueue (deps: {
  redis: BusRedis
  log: FastifyBaseLogger
  /** produces one message; never throws (it records its own failure) */
  run: (job: Job) => Promise<void>
  /** a job a runner took and then vanished with (its replica died): finish it as failed */
  abandoned: (job: Job) => Promise<void>
}) {
  const p = `${deps.redis.prefix}chat:`
  const client = deps.redis.client
  const k = {
    queue: (cid: string) => `${p}q:${cid}`,
    lock: (cid: string) => `${p}q:${cid}:lock`,
    job: (mid: string) => `${p}job:${mid}`,
    stop: (mid: string) => `${p}stop:${mid}`
  }
  const driving = new Map<string, Promise<void>>()
  let closing = false

  async function runHead (cid: string, token: string): Promise<boolean> {
    const mid = await client.lindex(k.queue(cid), 0)
    if (!mid) return false
    const raw = await client.hgetall(k.job(mid))
    if (raw.job) {
      const job = JSON.parse(raw.job) as Job
      const started = await client.hsetnx(k.job(mid), 'started', '1')
      const refresh = setInterval(() => { void client.eval(REFRESH, 1, k.lock(cid), token, String(LOCK_MS)).catch(() => 0) }, LOCK_MS / 3)
      try {
        if (started === 1) await deps.run(job)
        else await deps.abandoned(job)
      } finally {
        clearInterval(refresh)
      }
    }
    await client.multi().lrem(k.queue(cid), 1, mid).del(k.job(mid)).exec()
    return true
  }

  async function drive (cid: string): Promise<void> {
    while (!closing) {
      const token = randomUUID()
      if (await client.set(k.lock(cid), token, 'PX', LOCK_MS, 'NX') !== 'OK') return
      try {
        while (!closing && await runHead(cid, token));
      } finally {
        await client.eval(RELEASE, 1, k.lock(cid), token).catch(() => 0)
      }
      if (await client.llen(k.queue(cid)) === 0) return
    }
  }

  const self = {
    /** Sends queued behind the one generating (this one included). */
    pending: async (cid: string): Promise<number> => await client.llen(k.queue(cid)),

    async enqueue (job: Job): Promise<void> {
      await client.multi()
        .hset(k.job(job.assistantMessageId), 'job', JSON.stringify(job)).pexpire(k.job(job.assistantMessageId), JOB_MS)
        .rpush(k.queue(job.conversationId), job.assistantMessageId).pexpire(k.queue(job.conversationId), JOB_MS)
        .exec()
      self.kick(job.conversationId)
    },

    /** Runs the conversation's queue here unless a runner holds it (fire and forget). */
    kick (cid: string): void {
      if (closing || driving.has(cid)) return
      const run = drive(cid)
        .catch((err: unknown) => { deps.log.warn({ err, conversationId: cid }, 'conversation queue not driven') })
        .finally(() => { driving.delete(cid) })
      driving.set(cid, run)
    },

    /** Whether a runner holds the conversation now. */
    running: async (cid: string): Promise<boolean> => (await client.exists(k.lock(cid))) === 1,
    queued: async (cid: string, mid: string): Promise<boolean> => (await client.lpos(k.queue(cid), mid)) !== null,

    /** A stop for a message still waiting in the queue: its runner finds it and stops before calling a model. */
    markStopped: async (mid: string) => { await client.set(k.stop(mid), '1', 'PX', JOB_MS) },
    isStopped: async (mid: string): Promise<boolean> => (await client.exists(k.stop(mid))) === 1,

    async close (): Promise<void> {
      closing = true
      await Promise.allSettled([...driving.values()])
    }
  }
  return self
}
export type TurnQueue = ReturnType<typeof createTurnQueue>
