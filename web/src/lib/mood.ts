// Robbie's avatar mood (SPEC §3.3): from GET /api/chat/personality, with transient moods the chat may set.
import { api } from './api.js'
import { createStore } from './store.js'

export type Mood = 'friendly' | 'focused' | 'playful' | 'bossy' | 'surprised' | 'blushing'
export const MOODS: readonly Mood[] = ['friendly', 'focused', 'playful', 'bossy', 'surprised', 'blushing']

export const MOOD_EMOJI: Record<Mood, string> = {
  friendly: '😊', focused: '🎯', playful: '😜', bossy: '💪', surprised: '😲', blushing: '☺️'
}

/** Why the avatar looks like this, for its tooltip. */
export const MOOD_REASON: Record<Mood, string> = {
  friendly: 'Friendly: the balanced personality',
  focused: 'Focused: brief and fast answers',
  playful: 'Playful: a warm personality',
  bossy: 'Bossy: urgent mode, time-critical first',
  surprised: 'Surprised: something just happened',
  blushing: 'Blushing: a very warm personality'
}

export interface MoodState { mood: Mood, reason: string }

export const mood = createStore<MoodState>({ mood: 'friendly', reason: MOOD_REASON.friendly })

export const isMood = (value: unknown): value is Mood => typeof value === 'string' && (MOODS as readonly string[]).includes(value)

/** Reads the user's derived mood; without the chat service the avatar stays friendly. */
export async function loadMood (): Promise<void> {
  try {
    const p = await api<{ mood?: unknown }>('GET', '/api/chat/personality')
    if (isMood(p.mood)) mood.set({ mood: p.mood, reason: MOOD_REASON[p.mood] })
  } catch { /* the chat service is not there yet: keep the default */ }
}
