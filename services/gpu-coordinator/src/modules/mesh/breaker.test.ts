// SPEC §7.1's breaker: 3 faults in 60 s → open; half-open lets one trial through; success closes, failure reopens
// with the open time doubled, at most 5 min.
import { describe, expect, it } from 'vitest'
import { createBreaker } from './breaker.js'

describe('circuit breaker', () => {
  it('opens on the third fault within 60 s, not on faults spread wider', () => {
    const b = createBreaker(30_000)
    b.failure(0, false)
    b.failure(30_000, false)
    b.failure(61_000, false) // the first has left the window
    expect(b.state(61_000)).toBe('closed')
    b.failure(62_000, false)
    expect(b.state(62_000)).toBe('open')
    expect(b.admits(62_000)).toBe(false)
    expect(b.openedAt()).toBe(62_000)
  })

  it('goes half-open after the open time and admits exactly one trial, whose success closes it', () => {
    const b = createBreaker(1000)
    for (let i = 0; i < 3; i++) b.failure(i, false)
    expect(b.state(1001)).toBe('open')
    expect(b.state(1002)).toBe('half-open')
    expect(b.admits(1002)).toBe(true)
    expect(b.takeTrial(1002)).toBe(true)
    expect(b.admits(1003)).toBe(false)
    expect(b.takeTrial(1003)).toBe(false)
    b.success(1004, false) // not the trial: says nothing
    expect(b.state(1004)).toBe('half-open')
    b.success(1005, true)
    expect(b.state(1005)).toBe('closed')
  })

  it('reopens a failed trial for twice as long, capped at 5 min, and resets after closing', () => {
    const b = createBreaker(100_000)
    for (let i = 0; i < 3; i++) b.failure(0, false)
    let t = 100_000
    const expected = [200_000, 300_000, 300_000]
    for (const openFor of expected) {
      expect(b.takeTrial(t)).toBe(true)
      b.failure(t, true)
      expect(b.state(t + openFor - 1)).toBe('open')
      expect(b.state(t + openFor)).toBe('half-open')
      t += openFor
    }
    b.takeTrial(t)
    b.success(t, true)
    for (let i = 0; i < 3; i++) b.failure(t, false)
    expect(b.state(t + 99_999)).toBe('open')
    expect(b.state(t + 100_000)).toBe('half-open')
  })

  it('frees the trial when it ended without a verdict, and ignores faults while open', () => {
    const b = createBreaker(10)
    for (let i = 0; i < 3; i++) b.failure(0, false)
    b.failure(5, false)
    expect(b.state(10)).toBe('half-open')
    expect(b.takeTrial(10)).toBe(true)
    b.releaseTrial()
    expect(b.admits(11)).toBe(true)
    b.failure(11, false) // a call that is not the trial
    expect(b.state(11)).toBe('half-open')
  })
})
