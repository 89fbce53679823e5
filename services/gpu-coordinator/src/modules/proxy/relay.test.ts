import { describe, expect, it } from 'vitest'
import { createFramer, usageOf } from './relay.js'

describe('createFramer', () => {
  it('lets whole lines through and keeps a partial one for the next chunk', () => {
    const f = createFramer('\n')
    expect(f.push(Buffer.from('{"a":1}\n{"b"'))?.toString()).toBe('{"a":1}\n')
    expect(f.push(Buffer.from(':2'))).toBeNull()
    expect(f.push(Buffer.from('}\n{"c":3}\n'))?.toString()).toBe('{"b":2}\n{"c":3}\n')
    expect(f.rest()).toBeNull()
  })

  it('passes a chunk that ends on a delimiter as it is, without copying', () => {
    const f = createFramer('\n')
    const chunk = Buffer.from('{"a":1}\n')
    expect(f.push(chunk)).toBe(chunk)
  })

  it('frames SSE by events, and hands over what is left after a clean end', () => {
    const f = createFramer('\n\n')
    expect(f.push(Buffer.from('data: {"x":1}\n\ndata: {"x"'))?.toString()).toBe('data: {"x":1}\n\n')
    expect(f.push(Buffer.from(':2}\n'))).toBeNull()
    expect(f.rest()?.toString()).toBe('data: {"x":2}\n')
  })
})

describe('usageOf', () => {
  it('reads Ollama\'s final counters and OpenAI\'s usage', () => {
    expect(usageOf('{"done":true,"eval_count":42,"eval_duration":2000000000}')).toEqual({ evalCount: 42, tokensOut: 42, evalDurationNs: 2e9 })
    expect(usageOf('{"usage":{"completion_tokens":7}}')).toEqual({ tokensOut: 7 })
    expect(usageOf('not json')).toEqual({})
  })
})
