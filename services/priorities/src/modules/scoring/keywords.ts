// The keyword term of urgency (SPEC §4.2): the largest weight among the WHOLE words of subject + body
// preview, case-insensitive. A word is a run of letters and digits, so "know" never matches "now".
const WEIGHTS: ReadonlyMap<string, number> = new Map([
  ['urgent', 10], ['asap', 10], ['immediate', 10], ['immediately', 10], ['emergency', 10],
  ['critical', 8], ['deadline', 8],
  ['today', 7], ['now', 7]
])
// One scan for the keywords themselves, bounded by non-word characters: far cheaper than splitting every
// body preview into words (the 5-min rescore scores 100k items).
const KEYWORD = new RegExp(`(?<![\\p{L}\\p{N}])(?:${[...WEIGHTS.keys()].join('|')})(?![\\p{L}\\p{N}])`, 'giu')

/** The heaviest keyword and its weight; the first one in the text wins a tie. */
export function keywordUrgency (...texts: Array<string | undefined | null>): { word: string, points: number } | null {
  let best: { word: string, points: number } | null = null
  for (const text of texts) {
    if (!text) continue
    for (const match of text.matchAll(KEYWORD)) {
      const word = match[0].toLowerCase()
      const points = WEIGHTS.get(word)!
      if (best === null || points > best.points) best = { word, points }
    }
  }
  return best
}
