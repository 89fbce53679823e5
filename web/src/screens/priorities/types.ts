// The priorities API's shapes (SPEC §4.4–4.5; services/priorities surface and tasks schemas).

export type Quadrant = 'Q1' | 'Q2' | 'Q3' | 'Q4'
export const QUADRANTS: Array<{ q: Quadrant, label: string, hint: string }> = [
  { q: 'Q1', label: 'Do now', hint: 'important and urgent' },
  { q: 'Q2', label: 'Schedule', hint: 'important, not urgent' },
  { q: 'Q3', label: 'Delegate', hint: 'urgent, not important' },
  { q: 'Q4', label: 'Eliminate', hint: 'neither' }
]
export const quadrantLabel = (q: Quadrant): string => QUADRANTS.find((x) => x.q === q)?.label ?? q

export interface Surfaced {
  id: string
  kind: string
  title: string
  quadrant: Quadrant
  label: string
  score: number
  importance: number
  urgency: number
  effort?: number
  domain: string
  revenuePotential: number
  deadline: string | null
  why: string
  source: { type: string, id: string, url?: string }
  taint: boolean
  pinned: boolean
}
export interface Brief { id: string, kind: string, title: string, score: number }
export interface Stats { total: number, surfaced: number, submerged: number, q1: number, q2: number, q3: number, q4: number, agentQueue: number, selfQueue: number, q1Overload: boolean }
export interface Surface { version: number, generatedAt: string, surfaced: Surfaced[], submerged: Record<Quadrant, Brief[]>, stats: Stats }

export interface ItemView extends Surfaced {
  status: string
  visibility: string
  ownerUserId: string
  assigneeUserId: string | null
  importanceOverride: number | null
  urgencyOverride: number | null
  snoozedUntil: string | null
  number?: number
  version: number
  createdAt: string
  updatedAt: string
  breakdown: Array<{ term: string, dimension: 'I' | 'U' | 'P', points: number }>
  sources: Array<{ type: string, id: string, url: string | null, addedAt: string }>
}

export const PRIORITIES = ['low', 'medium', 'high', 'critical'] as const
export const CATEGORIES = ['general', 'email', 'meeting', 'deadline', 'opportunity', 'feedback', 'security', 'analysis', 'planning',
  'research', 'development', 'maintenance', 'optimization', 'learning'] as const

export interface Task {
  id: string
  number: number
  kind: 'task'
  title: string
  description: string | null
  status: 'pending' | 'in_progress' | 'completed' | 'cancelled'
  priority: string
  category: string
  dueAt: string | null
  assigneeUserId: string | null
  visibility: string
  tags: string[]
  associatedPeople: Array<{ email?: string, name?: string }>
  associatedDeals: Array<{ id?: string, name?: string, amount?: number }>
  quadrant: string
  score: number
  version: number
}
