// Prompt assembly (SPEC §3.4): identity, the four personality fragments, facts, tools, up to 5 relevant notes,
// then the history newest-first until 6 000 estimated tokens (⌈chars / 4⌉), then the new message. Pure, so
// that what the model receives can be read in a test.
import type { Message, Tool } from 'ollama'
import type { CompiledPersonality } from '../assistant.types.js'
import { UNTRUSTED_NOTE } from '../tools/untrusted.js'

export const HISTORY_TOKENS = 6000
export const NOTES_MAX = 5
/** a note's content in the prompt is cut to this many characters (before any wrapping) */
export const NOTE_CHARS = 1500

export const estimateTokens = (text: string) => Math.ceil(text.length / 4)

export interface PromptInput {
  companyName: string | null
  ownerName: string | null
  userName: string
  role: string
  isOwner: boolean
  timeZone: string
  now: Date
  personality: CompiledPersonality
  tools: Tool[]
  notes: { title: string, content: string }[]
  /** earlier messages, newest first */
  history: { role: string, content: string }[]
  message: string
}

export function identityLine (p: Pick<PromptInput, 'companyName' | 'ownerName' | 'userName' | 'isOwner'>): string {
  const at = p.companyName ? ` at ${p.companyName}` : ''
  if (p.isOwner) return `You are Robbie, executive assistant to ${p.ownerName ?? p.userName}${at}.`
  return `You are Robbie, the company assistant${at}, helping ${p.userName}.`
}

function localTime (now: Date, timeZone: string): string {
  try {
    return new Intl.DateTimeFormat('en-GB', { timeZone, dateStyle: 'full', timeStyle: 'short' }).format(now)
  } catch {
    return now.toISOString()
  }
}

/** The newest history that fits the token budget, oldest first. */
export function fitHistory (history: PromptInput['history'], budget = HISTORY_TOKENS): PromptInput['history'] {
  const kept: PromptInput['history'] = []
  let used = 0
  for (const m of history) {
    used += estimateTokens(m.content)
    if (used > budget) break
    kept.push(m)
  }
  return kept.reverse()
}

function systemPrompt (p: PromptInput): string {
  const lines = [identityLine(p), p.personality.systemPrompt]
  lines.push(`Facts: you are talking with ${p.userName} (role: ${p.role}). Time zone: ${p.timeZone}. Current time: ${localTime(p.now, p.timeZone)} (${p.now.toISOString()}).`)
  if (p.tools.length > 0) {
    lines.push('Tools you may call when they help:')
    for (const t of p.tools) lines.push(`- ${t.function.name ?? ''}: ${t.function.description ?? ''}`)
  }
  if (p.notes.length > 0) {
    lines.push('Notes from memory that may be relevant:')
    for (const n of p.notes.slice(0, NOTES_MAX)) lines.push(`- ${n.title}: ${n.content.replace(/\s+/g, ' ')}`)
  }
  lines.push(UNTRUSTED_NOTE)
  return lines.join('\n')
}

export function buildMessages (p: PromptInput): Message[] {
  return [
    { role: 'system', content: systemPrompt(p) },
    ...fitHistory(p.history).map((m) => ({ role: m.role, content: m.content })),
    { role: 'user', content: p.message }
  ]
}
