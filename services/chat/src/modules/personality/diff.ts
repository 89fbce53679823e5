// A line diff for the preview (SPEC §3.3): the longest common subsequence of the two texts' lines, walked
// front to back, so a changed line reads as its '-' then its '+'. Prompts are a handful of lines, so the
// O(n·m) table is nothing.
type DiffOp = ' ' | '-' | '+'
interface DiffLine { op: DiffOp, line: string }

const linesOf = (text: string): string[] => (text === '' ? [] : text.split('\n'))

export function lineDiff (a: string, b: string): DiffLine[] {
  const x = linesOf(a)
  const y = linesOf(b)
  // lcs[i][j]: length of the LCS of x[i..] and y[j..]
  const lcs = Array.from({ length: x.length + 1 }, () => new Array<number>(y.length + 1).fill(0))
  for (let i = x.length - 1; i >= 0; i--) {
    for (let j = y.length - 1; j >= 0; j--) {
      lcs[i]![j] = x[i] === y[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!)
    }
  }
  const out: DiffLine[] = []
  let i = 0
  let j = 0
  while (i < x.length && j < y.length) {
    if (x[i] === y[j]) {
      out.push({ op: ' ', line: x[i]! })
      i++
      j++
    } else if (lcs[i + 1]![j]! >= lcs[i]![j + 1]!) {
      out.push({ op: '-', line: x[i++]! })
    } else {
      out.push({ op: '+', line: y[j++]! })
    }
  }
  while (i < x.length) out.push({ op: '-', line: x[i++]! })
  while (j < y.length) out.push({ op: '+', line: y[j++]! })
  return out
}
