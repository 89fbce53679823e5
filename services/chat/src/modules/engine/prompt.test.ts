// Prompt assembly (SPEC §3.4): the identity line per role, the fragments in order, facts, tools, notes, and
// the history budget of 6 000 estimated tokens kept newest-first.
import { describe, expect, it } from 'vitest'
import type { CompiledPersonality } from '../assistant.types.js'
import { buildMessages, estimateTokens, fitHistory, identityLine, type PromptInput } from './prompt.js'

const personality: CompiledPersonality = {
  systemPrompt: 'Balanced: weigh urgency.\nFormal: strictly professional.\nConcise: answer first.\nConsultative: never act without asking.',
  fragments: [],
  mood: 'friendly',
  numPredict: 1024,
  autonomyThreshold: null,
  fragmentsVersion: 1,
  useFastModel: false
}
const input = (over: Partial<PromptInput> = {}): PromptInput => ({
  companyName: 'Acme',
  ownerName: 'Olivia Owner',
  userName: 'Olivia Owner',
  role: 'owner',
  isOwner: true,
  timeZone: 'Europe/Berlin',
  now: new Date('2025-01-06T09:00:00Z'),
  personality,
  tools: [],
  notes: [],
  history: [],
  message: 'Hello',
  ...over
})

describe('prompt assembly', () => {
  it('names the owner for the owner, and the member otherwise', () => {
    expect(identityLine(input())).toBe('You are Robbie, executive assistant to Olivia Owner at Acme.')
    expect(identityLine(input({ isOwner: false, userName: 'Max Member' }))).toBe('You are Robbie, the company assistant at Acme, helping Max Member.')
  })

  it('puts identity, fragments, facts, tools and notes in the system prompt, then the new message last', () => {
    const messages = buildMessages(input({
      tools: [{ type: 'function', function: { name: 'priorities_surface', description: 'The ranked list' } }],
      notes: [{ title: 'Board', content: 'Meets monthly' }]
    }))
    const system = messages[0]!.content
    expect(messages[0]!.role).toBe('system')
    expect(system.split('\n').slice(1, 5)).toEqual(personality.systemPrompt.split('\n'))
    expect(system).toContain('Time zone: Europe/Berlin')
    expect(system).toContain('2025-01-06T09:00:00.000Z')
    expect(system).toContain('- priorities_surface: The ranked list')
    expect(system).toContain('- Board: Meets monthly')
    expect(system).toContain('<untrusted>')
    expect(messages.at(-1)).toEqual({ role: 'user', content: 'Hello' })
  })

  it('keeps the newest history within 6 000 estimated tokens, oldest first', () => {
    const big = 'x'.repeat(4000) // 1 000 tokens each
    const history = Array.from({ length: 10 }, (_, i) => ({ role: i % 2 ? 'assistant' : 'user', content: `${i}${big}` }))
    const kept = fitHistory(history)
    expect(kept).toHaveLength(5) // 5 × 1 001 tokens fit, a sixth would not
    expect(kept.map((m) => m.content[0])).toEqual(['4', '3', '2', '1', '0'])
    expect(estimateTokens('abcde')).toBe(2)
  })
})
