// Every line of SPEC §3.7's decision rule, and that the first matching line wins over the later ones.
import { describe, expect, it } from 'vitest'
import { decide, type DecisionInput } from './decision.js'

// an owner at auto 8 (threshold 0.70), confident, untainted, initiative, no killswitch: rule 7 runs it
const base: DecisionInput = {
  toolClass: 'write',
  tainted: false,
  origin: 'initiative',
  killswitch: false,
  requesterIsOwner: true,
  auto: 8,
  minAuto: 6,
  confidence: 0.9,
  threshold: 0.7,
  conditionHolds: true
}

const table: Array<[string, Partial<DecisionInput>, 'run' | 'approval', number]> = [
  // 1. read → run, even tainted, under the killswitch, for a member at auto 1
  ['1 read', { toolClass: 'read' }, 'run', 1],
  ['1 read beats taint, killswitch and low autonomy', { toolClass: 'read', tainted: true, killswitch: true, requesterIsOwner: false, auto: 1, threshold: null, confidence: 0 }, 'run', 1],
  // 2. prepare → run (the follow-up approval is filed by the caller)
  ['2 prepare', { toolClass: 'prepare' }, 'run', 2],
  ['2 prepare beats taint and killswitch', { toolClass: 'prepare', tainted: true, killswitch: true, confidence: 0 }, 'run', 2],
  // 3. tainted → approval, even for a direct write
  ['3 tainted write', { tainted: true }, 'approval', 3],
  ['3 tainted beats direct', { tainted: true, origin: 'direct' }, 'approval', 3],
  ['3 tainted external', { toolClass: 'external', tainted: true }, 'approval', 3],
  // 4. write and direct → run, even under the killswitch and at auto 1 with no confidence
  ['4 direct write', { origin: 'direct', auto: 1, threshold: null, confidence: 0 }, 'run', 4],
  ['4 direct beats killswitch', { origin: 'direct', killswitch: true }, 'run', 4],
  ['4 direct by a member', { origin: 'direct', requesterIsOwner: false }, 'run', 4],
  ['4 applies to writes only: a direct external call goes on', { toolClass: 'external', origin: 'direct', auto: 1, threshold: null }, 'approval', 8],
  // 5. killswitch → approval
  ['5 killswitch', { killswitch: true }, 'approval', 5],
  ['5 killswitch beats full autonomy', { killswitch: true, auto: 10, threshold: 0.5, confidence: 1 }, 'approval', 5],
  ['5 killswitch on an external call', { toolClass: 'external', killswitch: true, requesterIsOwner: false }, 'approval', 5],
  // 6. not the owner and external → approval
  ['6 member external', { toolClass: 'external', requesterIsOwner: false, auto: 10, threshold: 0.5, confidence: 1, minAuto: 8 }, 'approval', 6],
  ['6 does not apply to a member\'s write', { requesterIsOwner: false }, 'run', 7],
  // 7. auto ≥ min, confidence ≥ threshold, condition → run
  ['7 autonomous write', {}, 'run', 7],
  ['7 confidence exactly at the threshold', { confidence: 0.7 }, 'run', 7],
  ['7 auto exactly at the minimum', { auto: 6, threshold: 0.9, confidence: 0.95 }, 'run', 7],
  ['7 owner external with its condition', { toolClass: 'external', minAuto: 8, auto: 8, threshold: 0.7, confidence: 0.8 }, 'run', 7],
  ['7 send with its condition', { toolClass: 'send', minAuto: 9, auto: 9, threshold: 0.6, confidence: 0.6 }, 'run', 7],
  // 8. otherwise → approval
  ['8 confidence below the threshold', { confidence: 0.69 }, 'approval', 8],
  ['8 missing confidence is 0', { confidence: 0 }, 'approval', 8],
  ['8 auto below the tool minimum', { auto: 5, minAuto: 6, threshold: null }, 'approval', 8],
  ['8 threshold null (auto ≤ 5)', { threshold: null }, 'approval', 8],
  ['8 the tool is never autonomous', { minAuto: null, auto: 10, threshold: 0.5, confidence: 1 }, 'approval', 8],
  ['8 the tool condition fails', { conditionHolds: false }, 'approval', 8],
  ['8 send below its minimum', { toolClass: 'send', minAuto: 9, auto: 8 }, 'approval', 8]
]

describe('decide (SPEC §3.7)', () => {
  it.each(table)('%s', (_name, change, outcome, rule) => {
    expect(decide({ ...base, ...change })).toEqual({ outcome, rule })
  })

  it('covers every line of the rule', () => {
    const rules = new Set(table.map(([, change]) => decide({ ...base, ...change }).rule))
    expect([...rules].sort()).toEqual([1, 2, 3, 4, 5, 6, 7, 8])
  })
})
