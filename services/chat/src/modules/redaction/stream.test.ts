// The streaming redactor: whatever way the model cuts its output, the released text equals the redaction of
// the whole, and a credential split across chunks never leaves in pieces.
import { describe, expect, it } from 'vitest'
import { createRedactor } from './redactor.js'
import { createStreamRedactor, safeCut } from './stream.js'
import { applySpans, detectSpans } from './detectors.js'

async function streamed (text: string, chunk: number, match: ((c: string[]) => Promise<string[]>) | null = null) {
  const s = createStreamRedactor(createRedactor({ match }).forTurn(), { hold: 24 })
  let out = ''
  for (let i = 0; i < text.length; i += chunk) out += await s.push(text.slice(i, i + chunk))
  out += await s.flush()
  return { out, count: s.count }
}

describe('stream redaction', () => {
  const text = 'Sure. The card is 4111 1111 1111 1111 and the key is ghp_abcdefghijklmnopqrstuvwxyz0123, ' +
    'then -----BEGIN PRIVATE KEY-----\nMIIEv\nQQ==\n-----END PRIVATE KEY----- and password = s3cr3t! done.'

  it('releases the same redacted text for every chunk size', async () => {
    const whole = applySpans(text, detectSpans(text))
    for (const size of [1, 2, 3, 5, 7, 16, 1000]) {
      const { out, count } = await streamed(text, size)
      expect(out).toBe(whole)
      expect(count).toBe(4)
    }
  })

  it('exact values split across chunks are still found', async () => {
    const secret = 'Zq8-very-own-value'
    const match = async (c: string[]) => c.filter((x) => x === secret)
    const { out, count } = await streamed(`the smtp value is ${secret} and more words follow here to flush`, 3, match)
    expect(out).toBe('the smtp value is [REDACTED:secret] and more words follow here to flush')
    expect(count).toBe(1)
  })

  it('never cuts inside a span or an open PEM block', () => {
    expect(safeCut('short', 24)).toBe(0)
    const open = 'intro text here -----BEGIN PRIVATE KEY-----\nabc def ghi jkl mno pqr stu vwx yz0 123 456'
    expect(safeCut(open, 4)).toBe(open.indexOf('-----BEGIN'))
  })
})
