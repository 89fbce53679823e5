// SPEC §3.5 step 2: the candidate tokens sent to the secrets service for exact-value matching: runs of ≥ 8
// non-space characters, split on = : ; , ' " < > ( ) [ ] { }. The whole run and the run without trailing
// sentence punctuation are offered too, since a stored value may itself contain one of those characters.
const MIN_CANDIDATE = 8
const MAX_CANDIDATE = 4096
export const MAX_CANDIDATES_PER_CALL = 500

const SPLIT = /[=:;,'"<>()[\]{}]+/

export function candidates (text: string): string[] {
  const out = new Set<string>()
  const add = (c: string) => { if (c.length >= MIN_CANDIDATE && c.length <= MAX_CANDIDATE && !c.includes('REDACTED')) out.add(c) }
  for (const run of text.split(/\s+/)) {
    if (run.length < MIN_CANDIDATE) continue
    add(run)
    add(run.replace(/[.!?]+$/, ''))
    for (const part of run.split(SPLIT)) {
      add(part)
      add(part.replace(/[.!?]+$/, ''))
    }
  }
  return [...out]
}

/** Replaces every occurrence of each matched value (longest first) and counts them. */
export function replaceExact (text: string, values: string[]): { text: string, count: number } {
  let count = 0
  let out = text
  for (const v of [...values].sort((a, b) => b.length - a.length)) {
    const parts = out.split(v)
    if (parts.length > 1) {
      count += parts.length - 1
      out = parts.join('[REDACTED:secret]')
    }
  }
  return { text: out, count }
}
