// Dedup on intake (SPEC §4.5): word sets are the lower-cased title split on anything that is not a letter or
// digit; Jaccard = |A∩B| / |A∪B|; strictly above 0.7 is a duplicate (exactly 0.7 is a new task).
export const DUPLICATE_THRESHOLD = 0.7

export function wordSet (title: string): Set<string> {
  return new Set(title.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter((w) => w.length > 0))
}

export function jaccard (a: string, b: string): number {
  const A = wordSet(a)
  const B = wordSet(b)
  if (A.size === 0 && B.size === 0) return 0
  let inter = 0
  for (const w of A) if (B.has(w)) inter++
  return inter / (A.size + B.size - inter)
}

/** The best candidate above the threshold (ties: the first, i.e. the caller's order), or null. */
export function bestDuplicate<T extends { title: string }> (title: string, candidates: T[]): { match: T, similarity: number } | null {
  let best: { match: T, similarity: number } | null = null
  for (const c of candidates) {
    const similarity = jaccard(title, c.title)
    if (similarity > DUPLICATE_THRESHOLD && (!best || similarity > best.similarity)) best = { match: c, similarity }
  }
  return best
}
