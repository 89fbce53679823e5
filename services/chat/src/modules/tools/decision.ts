// SPEC §3.7's decision for one tool call, first matching line wins. Pure: everything it reads is in the input,
// so the table-driven test can pin every line. The model's `auto` sentence only shapes wording; this decides.
import type { Origin, ToolClass } from './tools.specs.js'

export interface DecisionInput {
  toolClass: ToolClass
  tainted: boolean
  origin: Origin
  killswitch: boolean
  requesterIsOwner: boolean
  /** the requester's `auto` slider, 1–10 */
  auto: number
  /** the tool's minimum `auto` to run unasked; null: never */
  minAuto: number | null
  /** 0–1; a missing confidence is 0 */
  confidence: number
  /** threshold(auto) of SPEC §3.3; null below auto 6 (never autonomous) */
  threshold: number | null
  /** the tool's own condition (e.g. all recipients internal); true when it has none */
  conditionHolds: boolean
}

type Rule = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8
/** `run`: execute now (for `prepare`, also file the follow-up approval); `approval`: file an action and wait. */
interface Decision { outcome: 'run' | 'approval', rule: Rule }

export function decide (i: DecisionInput): Decision {
  if (i.toolClass === 'read') return { outcome: 'run', rule: 1 }
  if (i.toolClass === 'prepare') return { outcome: 'run', rule: 2 }
  if (i.tainted) return { outcome: 'approval', rule: 3 }
  // only reversible, undoable internal writes may rely on the model's "the user asked for it"
  if (i.toolClass === 'write' && i.origin === 'direct') return { outcome: 'run', rule: 4 }
  if (i.killswitch) return { outcome: 'approval', rule: 5 }
  if (!i.requesterIsOwner && i.toolClass === 'external') return { outcome: 'approval', rule: 6 }
  if (i.minAuto !== null && i.auto >= i.minAuto && i.threshold !== null && i.confidence >= i.threshold && i.conditionHolds) {
    return { outcome: 'run', rule: 7 }
  }
  return { outcome: 'approval', rule: 8 }
}
