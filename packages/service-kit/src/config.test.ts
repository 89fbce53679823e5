import { describe, expect, it } from 'vitest'
import { Type } from 'typebox'
import { ConfigError, defineConfig, loadConfig } from './config.js'

const good = {
  PORT: '3101',
  DATABASE_URL: 'postgres://u:p@127.0.0.1/db',
  REDIS_URL: 'redis://127.0.0.1:6379',
  ROBBIE_JWT_KEYS_FILE: '/k/jwt.json',
  ROBBIE_SERVICE_KEY_FILE: '/k/svc.key'
}

describe('loadConfig', () => {
  it('converts, applies defaults and freezes', () => {
    const config = loadConfig(defineConfig({ EXTRA: Type.Boolean({ default: false }) }), { ...good, EXTRA: 'true', LOG_PRETTY: 'true' })
    expect(config.PORT).toBe(3101)
    expect(config.EXTRA).toBe(true)
    expect(config.LOG_PRETTY).toBe(true)
    expect(config.LOG_LEVEL).toBe('info')
    expect(config.ROBBIE_REDIS_PREFIX).toBe('robbie:')
    expect(Object.isFrozen(config)).toBe(true)
  })

  it('names every bad or missing variable at once', () => {
    const schema = defineConfig({})
    let error: unknown
    try {
      loadConfig(schema, { ...good, PORT: 'eighty', DATABASE_URL: 'mysql://x', REDIS_URL: undefined, LOG_LEVEL: 'loud' })
    } catch (err) { error = err }
    expect(error).toBeInstanceOf(ConfigError)
    const text = (error as ConfigError).message
    for (const name of ['PORT', 'DATABASE_URL', 'REDIS_URL', 'LOG_LEVEL']) expect(text).toContain(name)
    expect(text).not.toContain('ROBBIE_JWT_KEYS_FILE')
  })
})
