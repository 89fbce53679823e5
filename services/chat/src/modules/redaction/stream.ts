// Model output is redacted before it is sent (SPEC §3.5), yet it streams. Text is released in segments cut
// at whitespace, holding back a tail long enough for a credential still arriving: a card number written with
// spaces, `password = …`, and a PEM block until its END line. Whitespace-free tokens (keys, JWTs) are never
// split, because a cut only falls on whitespace.
import { detectSpans } from './detectors.js'
import type { Redacted, TurnRedactor } from './redactor.js'

/** Characters held back at the end of the text until more arrives or the stream ends. */
const HOLD_CHARS = 48

/** Where the text may be cut now (0: not yet). */
export function safeCut (text: string, hold = HOLD_CHARS): number {
  const limit = text.length - hold
  if (limit <= 0) return 0
  let cut = 0
  for (let i = limit; i > 0; i--) {
    if (/\s/.test(text[i - 1]!)) { cut = i; break }
  }
  if (cut === 0) return 0
  for (const s of detectSpans(text)) if (s.start < cut && cut < s.end) cut = s.start
  const pem = text.lastIndexOf('-----BEGIN')
  if (pem !== -1 && pem < cut && !/-----END [A-Z0-9 ]*-----/.test(text.slice(pem))) cut = pem
  return cut
}

export function createStreamRedactor (redactor: TurnRedactor, opts: { hold?: number } = {}) {
  let pending = ''
  let count = 0
  const release = async (segment: string): Promise<string> => {
    if (segment === '') return ''
    const r: Redacted = await redactor.redact(segment)
    count += r.count
    return r.text
  }
  return {
    /** Adds streamed text; resolves with the redacted text that may go out now ('' when nothing may). */
    async push (text: string): Promise<string> {
      pending += text
      const cut = safeCut(pending, opts.hold)
      if (cut === 0) return ''
      const segment = pending.slice(0, cut)
      pending = pending.slice(cut)
      return await release(segment)
    },
    /** The rest, at the end of the stream (or of a tool round). */
    async flush (): Promise<string> {
      const segment = pending
      pending = ''
      return await release(segment)
    },
    get count () { return count },
    get pendingLength () { return pending.length }
  }
}
