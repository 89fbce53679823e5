// Tasks as chat reaches them: priorities' public tasks API (SPEC §4.5) with the user's delegated token, so a
// member sees and changes only what priorities lets that member see and change.
import { RobbieError, genericError } from '@robbie/service-kit'
import type { Directory } from '../engine/directory.js'
import type { PrioritiesClient } from './clients.js'

/** The fields of priorities' TaskView that chat reads. */
export interface Task {
  id: string
  number: number
  title: string
  description: string | null
  status: 'pending' | 'in_progress' | 'completed' | 'cancelled'
  priority: string
  category: string
  dueAt: string | null
  assigneeUserId: string | null
  visibility: string
  quadrant: string
  score: number
}

/** What a tool result shows of a task: small, no description (it may be long). */
export const taskBrief = (t: Task) => ({
  id: t.id,
  number: t.number,
  title: t.title,
  status: t.status,
  priority: t.priority,
  category: t.category,
  dueAt: t.dueAt,
  assigneeUserId: t.assigneeUserId,
  visibility: t.visibility,
  quadrant: t.quadrant,
  score: t.score
})

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const PAGES = 5

const taskNotFound = (ref: string) => new RobbieError('CHAT_NOT_FOUND', `Task ${ref} was not found`, 404)

export function createTasks (deps: { priorities: PrioritiesClient, directory: Pick<Directory, 'findUsers'> }) {
  const { priorities } = deps

  /**
   * A task by id or `#number`. Priorities has no lookup by number, so the user's readable tasks are paged, open
   * ones first (bounded: 5 pages of 200 per status).
   */
  async function resolve (token: string, ref: string): Promise<Task> {
    if (UUID_RE.test(ref)) {
      try {
        return await priorities.call<Task>(token, 'GET', `/tasks/${ref.toLowerCase()}`)
      } catch (err) {
        if (err instanceof RobbieError && err.statusCode === 404) throw taskNotFound(ref)
        throw err
      }
    }
    const number = Number(ref.replace(/^#/, ''))
    for (const status of ['pending', 'in_progress', 'completed', 'cancelled']) {
      let cursor: string | null = null
      for (let page = 0; page < PAGES; page++) {
        const res: { items: Task[], nextCursor: string | null } = await priorities.call(token, 'GET', `/tasks?status=${status}&limit=200${cursor ? `&cursor=${cursor}` : ''}`)
        const hit = res.items.find((t) => t.number === number)
        if (hit) return hit
        cursor = res.nextCursor
        if (!cursor) break
      }
    }
    throw taskNotFound(`#${number}`)
  }

  /** `@dana`, `Dana Reyes` or an email → one active user; none or several → a coded refusal naming the problem. */
  async function assignee (name: string): Promise<string> {
    const q = name.replace(/^@/, '').trim()
    if (q.length < 2) throw genericError('chat', 'VALIDATION_FAILED', 'An assignee name needs at least 2 characters', { details: [{ path: 'assigneeName', rule: 'minLength' }] })
    const users = await deps.directory.findUsers(q.slice(0, 100))
    const lower = q.toLowerCase()
    const exact = users.filter((u) => u.name.toLowerCase() === lower || u.email.toLowerCase() === lower || u.email.toLowerCase().split('@')[0] === lower)
    const pick = exact.length === 1 ? exact : users
    if (pick.length === 1) return pick[0]!.id
    if (pick.length === 0) throw new RobbieError('CHAT_NOT_FOUND', `No active user matches @${q}`, 404)
    throw genericError('chat', 'VALIDATION_FAILED', `@${q} matches ${pick.slice(0, 5).map((u) => u.name).join(', ')}: be more specific`, { details: [{ path: 'assigneeName', rule: 'ambiguous' }] })
  }

  return { resolve, assignee }
}
export type Tasks = ReturnType<typeof createTasks>
