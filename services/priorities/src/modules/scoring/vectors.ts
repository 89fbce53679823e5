// SPEC §4.2's worked examples V1–V8 as inputs at a fixed "now", shared by the unit and API tests.
import type { ScoringInput } from './scoring.schemas.js'

export const VECTOR_NOW = new Date('2026-03-02T09:00:00.000Z')
const at = (hours: number) => new Date(VECTOR_NOW.getTime() + hours * 3_600_000).toISOString()
const OWNER_ID = '0190a0a0-0000-7000-8000-000000000001'
const sam = { email: 'sam@example.com', name: 'Sam' }
const globex = { id: 'deal-1', name: 'Globex', amount: 75000 }
const val = { email: 'vp@example.com', name: 'Val Park', tier: 'vp', score: 100 } as const
const fran = { email: 'fran@example.com', name: 'Fran Ito', tier: 'founder', score: 100 } as const
const dana = { senderEmail: 'dana.reyes@example.com', senderName: 'Dana Reyes', senderScore: 90, senderTier: 'unknown', expectedResponseHours: 48 } as const

export const VECTORS = {
  V1: { kind: 'deal', title: 'Acme renewal', amount: 120000, probability: 50, deadline: at(30) },
  V2: { kind: 'email', subject: 'URGENT: contract redlines', deadline: at(3), awaitingReply: true, ...dana },
  // V3: medium, 1 person, a 75 000 deal, general, due in 20 h, a 240-character description, made by a person
  V3: { kind: 'task', priority: 'medium', category: 'general', deadline: at(20), description: 'd'.repeat(240), associatedPeople: [sam], associatedDeals: [globex], requesterUserId: OWNER_ID },
  V4: { kind: 'task', title: 'Read the board memo', priority: 'low', requesterUserId: OWNER_ID },
  V5: { kind: 'meeting', title: 'Board prep', meetingStart: at(1.5), attendees: [val, fran] },
  V6: { kind: 'task', title: 'Dependabot: lodash prototype pollution', priority: 'medium', category: 'security', sourceType: 'github', deadline: at(14 * 24 - 1) },
  V7: { kind: 'deal', title: 'Initech expansion', amount: 300000, probability: 40, deadline: at(2) },
  V8: { kind: 'email', subject: 'URGENT: contract redlines', deadline: at(3), awaitingReply: true, ...dana, importanceOverride: 70 }
} satisfies Record<string, ScoringInput>

/** SPEC's numbers: I, U, Q, P (one decimal) and the unrounded P. */
export const EXPECTED = {
  V1: { importance: 34, urgency: 25, quadrant: 'Q4', score: 23.0, exact: 23.04, domain: 'human' },
  V2: { importance: 27, urgency: 65, quadrant: 'Q3', score: 16.9, exact: 16.88, domain: 'agent' },
  V3: { importance: 90, urgency: 85, quadrant: 'Q1', score: 88.0, exact: 88, domain: 'human' },
  V4: { importance: 60, urgency: 40, quadrant: 'Q2', score: 36.4, exact: 36.4, domain: 'human' },
  V5: { importance: 50, urgency: 95, quadrant: 'Q1', score: 68.0, exact: 68, domain: 'human' },
  V6: { importance: 80, urgency: 60, quadrant: 'Q1', score: 72.0, exact: 72, domain: 'human' },
  V7: { importance: 50, urgency: 45, quadrant: 'Q2', score: 53.6, exact: 53.6, domain: 'human' },
  V8: { importance: 70, urgency: 65, quadrant: 'Q1', score: 68.0, exact: 68, domain: 'agent' }
} as const
