// Redaction before any model call and on model output (SPEC §3.5): the pattern detectors, then the exact
// values the secrets service recognises. A redactor remembers the candidates it already asked about, so a
// streamed answer does not ask twice for the same token.
import { applySpans, detectSpans } from './detectors.js'
import { candidates, replaceExact } from './candidates.js'
import type { MatchSecrets } from './secrets-match.js'

export interface Redacted { text: string, count: number }

export function createRedactor (deps: { match: MatchSecrets | null }) {
  return {
    /** A fresh redactor for one turn (its memo of checked candidates lives as long as the turn). */
    forTurn () {
      const known = new Map<string, boolean>()
      return {
        async redact (text: string): Promise<Redacted> {
          const spans = detectSpans(text)
          const patterned = applySpans(text, spans)
          if (!deps.match) return { text: patterned, count: spans.length }
          const asked = candidates(patterned).filter((c) => !known.has(c))
          if (asked.length > 0) {
            const hits = new Set(await deps.match(asked))
            for (const c of asked) known.set(c, hits.has(c))
          }
          const values = [...known].filter(([c, hit]) => hit && patterned.includes(c)).map(([c]) => c)
          const exact = replaceExact(patterned, values)
          return { text: exact.text, count: spans.length + exact.count }
        }
      }
    }
  }
}
export type Redactor = ReturnType<typeof createRedactor>
export type TurnRedactor = ReturnType<Redactor['forTurn']>

/** SPEC §3.5's notice text. */
export const redactedNotice = (count: number) =>
  `${count} secret-like value${count === 1 ? ' was' : 's were'} removed before storing and sending`
