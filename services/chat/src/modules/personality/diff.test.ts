import { describe, expect, it } from 'vitest'
import { compilePersonality } from './compile.js'
import { lineDiff } from './diff.js'

describe('lineDiff', () => {
  it('keeps common lines and shows a replaced line as - then +', () => {
    expect(lineDiff('a\nb\nc', 'a\nx\nc')).toEqual([
      { op: ' ', line: 'a' }, { op: '-', line: 'b' }, { op: '+', line: 'x' }, { op: ' ', line: 'c' }
    ])
  })

  it('handles insertions, deletions, identical and empty texts', () => {
    expect(lineDiff('a\nc', 'a\nb\nc')).toEqual([{ op: ' ', line: 'a' }, { op: '+', line: 'b' }, { op: ' ', line: 'c' }])
    expect(lineDiff('a\nb\nc', 'c')).toEqual([{ op: '-', line: 'a' }, { op: '-', line: 'b' }, { op: ' ', line: 'c' }])
    expect(lineDiff('x\ny', 'x\ny').every((d) => d.op === ' ')).toBe(true)
    expect(lineDiff('', '')).toEqual([])
    expect(lineDiff('', 'a')).toEqual([{ op: '+', line: 'a' }])
  })

  it('finds the longest common subsequence, not the first match', () => {
    const ops = lineDiff('a\nb\nc\nd', 'b\nc\nd\na').map((d) => d.op + d.line)
    expect(ops).toEqual(['-a', ' b', ' c', ' d', '+a'])
  })

  it('rebuilds both texts from the diff', () => {
    const a = compilePersonality({ gandhi: 2, flirty: 3, turbo: 9, auto: 3 }).systemPrompt
    const b = compilePersonality({ gandhi: 8, flirty: 3, turbo: 2, auto: 3 }).systemPrompt
    const d = lineDiff(a, b)
    expect(d.filter((x) => x.op !== '+').map((x) => x.line).join('\n')).toBe(a)
    expect(d.filter((x) => x.op !== '-').map((x) => x.line).join('\n')).toBe(b)
    expect(d.map((x) => x.op)).toEqual(['-', '+', ' ', '-', '+', ' '])
  })
})
