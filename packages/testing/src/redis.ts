// An isolated Redis key prefix per test (the bus's ordinary `prefix` option). Never FLUSHALL: a
// developer's fleet shares this server.
import { Redis } from 'ioredis'
import { deletePrefix } from '@robbie/bus'
import { testEnv } from './env.js'

let counter = 0

export function redisPrefix (): string {
  const worker = process.env.VITEST_POOL_ID ?? process.pid
  return `test:${testEnv().run}:${worker}:${process.pid}-${++counter}:`
}

export async function cleanRedisPrefix (prefix: string, url = testEnv().redisUrl): Promise<void> {
  if (!prefix.startsWith('test:')) throw new Error('only test prefixes are cleaned')
  const redis = new Redis(url, { maxRetriesPerRequest: 1, connectTimeout: 500 })
  try {
    await deletePrefix(redis, prefix)
  } finally {
    redis.disconnect()
  }
}
