// SPEC §3.5 step 1: the pattern detectors. Each finds credential-shaped text; a match becomes
// `[REDACTED:<kind>]`. Email addresses are deliberately left alone (the assistant needs them).
interface Span { start: number, end: number, kind: string }

interface Detector {
  kind: string
  re: RegExp
  /** the named group `v`, when present, is what gets replaced (the key of `password=…` stays readable) */
  valid?: (match: string, groups: Record<string, string | undefined>) => boolean
}

/** Luhn's checksum over the digits of a card number. */
export function luhnValid (digits: string): boolean {
  let sum = 0
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48
    if (i % 2 === 1) { d *= 2; if (d > 9) d -= 9 }
    sum += d
  }
  return sum % 10 === 0
}

const cardDigits = (m: string) => m.replace(/[ -]/g, '')

const DETECTORS: Detector[] = [
  { kind: 'private_key', re: /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----[\s\S]*?-----END (?:[A-Z0-9]+ )*PRIVATE KEY-----/g },
  { kind: 'robbie_key', re: /\brobbie_[a-z]{2,10}_[0-9A-Za-z]{20,}/g },
  { kind: 'jwt', re: /\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}/g },
  { kind: 'aws_access_key', re: /\b(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[0-9A-Z]{16}\b/g },
  { kind: 'github_token', re: /\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})/g },
  { kind: 'slack_token', re: /\bxox[abpr]-[A-Za-z0-9-]{8,}/g },
  { kind: 'google_oauth', re: /\bya29\.[A-Za-z0-9_-]{16,}/g },
  // password=…, secret: "…", token = '…' (also api_token=, client_secret:): the value is replaced. After a
  // colon a plain word is prose ("the secret: focus"), so only a value with a digit or symbol counts there.
  {
    kind: 'assignment',
    re: /\b[A-Za-z_]*(?:password|passwd|secret|token)\b\s*(?<sep>[=:])\s*(?<v>"[^"\n]*"|'[^'\n]*'|[^\s"',;]{3,})/gi,
    valid: (_m, g) => g.sep === '=' || /[^A-Za-z]/.test(g.v ?? '')
  },
  { kind: 'card_number', re: /(?<![\d-])\d(?:[ -]?\d){15}(?![\d-])/g, valid: (m) => luhnValid(cardDigits(m)) },
  { kind: 'ssn', re: /(?<![\d-])(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}(?![\d-])/g }
]

/** Every detector's matches, sorted and without overlaps (the earlier, then the longer, wins). */
export function detectSpans (text: string): Span[] {
  const found: Span[] = []
  for (const d of DETECTORS) {
    for (const m of text.matchAll(d.re)) {
      if (d.valid && !d.valid(m[0], m.groups ?? {})) continue
      const v = m.groups?.v
      if (v !== undefined && v.length > 0) {
        // the value's own offset inside the match: it is the match's tail
        const end = m.index + m[0].length
        found.push({ start: end - v.length, end, kind: assignmentKind(m[0]) })
      } else if (v === undefined) {
        found.push({ start: m.index, end: m.index + m[0].length, kind: d.kind })
      }
    }
  }
  found.sort((a, b) => a.start - b.start || b.end - a.end)
  const spans: Span[] = []
  for (const s of found) if (spans.length === 0 || s.start >= spans.at(-1)!.end) spans.push(s)
  return spans
}

function assignmentKind (match: string): string {
  const key = match.toLowerCase()
  if (key.includes('pass') || key.includes('pwd')) return 'password'
  return key.includes('secret') ? 'secret' : 'token'
}

/** Replaces every span with `[REDACTED:<kind>]`. */
export function applySpans (text: string, spans: Span[]): string {
  let out = ''
  let at = 0
  for (const s of spans) {
    out += `${text.slice(at, s.start)}[REDACTED:${s.kind}]`
    at = s.end
  }
  return out + text.slice(at)
}
