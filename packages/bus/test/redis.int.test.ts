// Redis client rules (SPEC §0.5) and the lossy hints.
import { cleanRedisPrefix, redisPrefix } from '@robbie/testing'
import { afterEach, describe, expect, it } from 'vitest'
import { busKeys, createHints, createRedis, type BusRedis } from '../src/index.js'
import { redisUrl, freePort, waitFor } from './helpers.js'

const opened: BusRedis[] = []
let prefix: string | undefined
afterEach(async () => {
  for (const r of opened.splice(0)) await r.close()
  if (prefix) await cleanRedisPrefix(prefix)
  prefix = undefined
})

/** Settles with 'timeout' if the call neither resolves nor rejects within ms. */
async function within<T> (ms: number, p: Promise<T>): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined
  const t = new Promise<'timeout'>((resolve) => { timer = setTimeout(() => resolve('timeout'), ms) })
  try { return await Promise.race([p, t]) } finally { clearTimeout(timer) }
}

describe('redis client', () => {
  it('builds every name from the prefix', () => {
    const k = busKeys('robbie:')
    expect([k.stream('chat'), k.dead('priorities'), k.epoch, k.live, k.hint('apikeys')]).toEqual(
      ['robbie:events:chat', 'robbie:dead:priorities', 'robbie:bus:epoch', 'robbie:live', 'robbie:hint:apikeys'])
  })

  it('rejects a call against an unreachable Redis instead of hanging', async () => {
    const port = await freePort() // nothing listens there
    const r = createRedis({ url: `redis://127.0.0.1:${port}`, prefix: 'test:unreachable:' })
    opened.push(r)
    // Straight away (not connected yet) and again after the first connection attempts failed.
    await expect(within(1500, r.client.get('k'))).rejects.toThrow()
    await new Promise((resolve) => setTimeout(resolve, 700))
    await expect(within(1500, r.client.xadd(r.keys.stream('x'), '*', 'a', 'b'))).rejects.toThrow()
    await expect(r.ready(300)).rejects.toThrow('not ready')
  })

  it('delivers hints and live pushes to subscribers, under the prefix', async () => {
    prefix = redisPrefix()
    const r = createRedis({ url: redisUrl(), prefix })
    opened.push(r)
    await r.ready()
    const hints = createHints({ redis: r })
    const got: unknown[] = []
    const live: unknown[] = []
    const off = await hints.subscribe('apikeys', (p) => got.push(p))
    await hints.onLive((p) => live.push(p))
    expect(await hints.publish('apikeys', { revoked: 'k1' })).toBe(1)
    expect(await hints.live({ kind: 'task.updated' })).toBe(1)
    await waitFor(async () => got.length === 1 && live.length === 1, 3000, 'messages')
    expect(got).toEqual([{ revoked: 'k1' }])
    expect(live).toEqual([{ kind: 'task.updated' }])
    expect(await r.client.publish(`${prefix}hint:apikeys`, '{"raw":true}')).toBe(1)
    await off()
    expect(await hints.publish('apikeys', { revoked: 'k2' })).toBe(0)
    await hints.close()
  })
})
