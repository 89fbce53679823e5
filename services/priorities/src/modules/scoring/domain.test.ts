// SPEC §4.3: human, then self, else agent; first match wins, an override wins first.
import { describe, expect, it } from 'vitest'
import { domainOf } from './domain.js'
import type { ScoringItem } from './types.js'

const d = (item: ScoringItem, R = 0, tier?: Parameters<typeof domainOf>[2]) => domainOf(item, R, tier)

describe('domains', () => {
  it('human: by hand, security, R > 50 000, founder/C-level sender, tags, risk, approval, meetings', () => {
    expect(d({ kind: 'task', requesterUserId: 'u1' })).toBe('human')
    expect(d({ kind: 'task', category: 'security', sourceType: 'system' })).toBe('human') // human before self
    expect([d({ kind: 'deal' }, 50001), d({ kind: 'deal' }, 50000)]).toEqual(['human', 'agent'])
    expect([d({ kind: 'email' }, 0, 'founder'), d({ kind: 'email' }, 0, 'c_level'), d({ kind: 'email' }, 0, 'vp')]).toEqual(['human', 'human', 'agent'])
    for (const tag of ['strategic', 'decision', 'negotiation']) expect(d({ kind: 'email', tags: [tag] })).toBe('human')
    expect([d({ kind: 'email', riskLevel: 8 }), d({ kind: 'email', riskLevel: 7 })]).toEqual(['human', 'agent'])
    expect(d({ kind: 'email', approvalRequired: true })).toBe('human')
    expect(d({ kind: 'meeting' })).toBe('human')
  })

  it('self: system source, maintenance/optimization/learning, system_ kinds, tag internal; agent otherwise', () => {
    expect(d({ kind: 'task', sourceType: 'system' })).toBe('self')
    for (const category of ['maintenance', 'optimization', 'learning'] as const) expect(d({ kind: 'task', category })).toBe('self')
    expect(d({ kind: 'system_backup' })).toBe('self')
    expect(d({ kind: 'email', tags: ['internal'] })).toBe('self')
    expect(d({ kind: 'task', sourceType: 'github', category: 'development' })).toBe('agent')
    expect(d({ kind: 'email' })).toBe('agent')
  })

  it('an override wins', () => {
    expect(d({ kind: 'task', requesterUserId: 'u1', domainOverride: 'agent' })).toBe('agent')
  })
})
