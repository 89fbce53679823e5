// The built-in commands of SPEC §3.6 (this wave's; /brief and /sync come with the integrations), parsed
// deterministically: a message starting with `/` never reaches a model. Bad arguments give the usage line.
import { parseDue, type DueSpec } from './due.js'

interface CommandInfo { name: string, usage: string, description: string }

export const COMMANDS: readonly CommandInfo[] = Object.freeze([
  { name: 'help', usage: '/help', description: 'List the commands' },
  { name: 'priorities', usage: '/priorities [n]', description: 'Your top n priorities (1–20, default 5) with quadrant, score and why' },
  { name: 'tasks', usage: '/tasks [mine|all]', description: 'Open tasks with their #numbers' },
  { name: 'task', usage: '/task add <title> [!critical|!high|!medium|!low] [due:<YYYY-MM-DD|today|tomorrow|mon…sun|+Nd>] [@name] · /task done #<n>', description: 'Create or complete a task' },
  { name: 'note', usage: '/note <text>', description: 'Remember something as a note' },
  { name: 'notes', usage: '/notes [query]', description: 'Search your notes' },
  { name: 'approvals', usage: '/approvals', description: 'Actions waiting for your approval' },
  { name: 'approve', usage: '/approve <id>', description: 'Approve an action (its id, or the first 6+ characters of it)' },
  { name: 'reject', usage: '/reject <id> [reason]', description: 'Reject an action' },
  { name: 'undo', usage: '/undo <id>', description: 'Undo what an action changed' },
  { name: 'status', usage: '/status', description: 'Model availability and nodes, killswitch, queue depth' },
  { name: 'personality', usage: '/personality [preset | gandhi=N flirty=N turbo=N auto=N]', description: 'Show or set the personality' },
  { name: 'killswitch', usage: '/killswitch on [reason] | off', description: 'Stop or release Robbie’s initiative and outbound actions (owner, admin)' }
])

type Priority = 'critical' | 'high' | 'medium' | 'low'
type Slider = 'gandhi' | 'flirty' | 'turbo' | 'auto'

export type Command =
  | { name: 'help' }
  | { name: 'priorities', n: number }
  | { name: 'tasks', scope: 'mine' | 'all' }
  | { name: 'task add', title: string, priority?: Priority, due?: DueSpec, assignee?: string }
  | { name: 'task done', number: number }
  | { name: 'note', text: string }
  | { name: 'notes', query?: string }
  | { name: 'approvals' }
  | { name: 'approve', id: string }
  | { name: 'undo', id: string }
  | { name: 'reject', id: string, reason?: string }
  | { name: 'status' }
  | { name: 'personality', preset?: string, sliders?: Partial<Record<Slider, number>> }
  | { name: 'killswitch', on: boolean, reason?: string }

type Parsed = { ok: true, command: Command } | { ok: false, error: 'unknown', name: string } | { ok: false, error: 'usage', usage: string }

const usageOf = (name: string) => COMMANDS.find((c) => c.name === name)!.usage
const PRIORITIES = new Set(['critical', 'high', 'medium', 'low'])
const SLIDERS = new Set(['gandhi', 'flirty', 'turbo', 'auto'])
const ACTION_ID = /^[0-9a-f-]{6,36}$/i

export const isCommand = (content: string) => content.trimStart().startsWith('/')

export function parseCommand (content: string): Parsed {
  const text = content.trim()
  const m = /^\/(\S*)\s*([\s\S]*)$/.exec(text)
  const name = (m?.[1] ?? '').toLowerCase()
  const rest = (m?.[2] ?? '').trim()
  const words = rest === '' ? [] : rest.split(/\s+/)
  const ok = (command: Command): Parsed => ({ ok: true, command })
  const usage = (): Parsed => ({ ok: false, error: 'usage', usage: usageOf(name) })

  switch (name) {
    case 'help':
    case 'approvals':
    case 'status':
      return words.length === 0 ? ok({ name }) : usage()
    case 'priorities': {
      if (words.length === 0) return ok({ name, n: 5 })
      const n = Number(words[0])
      return words.length === 1 && /^\d{1,2}$/.test(words[0]!) && n >= 1 && n <= 20 ? ok({ name, n }) : usage()
    }
    case 'tasks':
      if (words.length === 0) return ok({ name, scope: 'mine' })
      return words.length === 1 && (words[0] === 'mine' || words[0] === 'all') ? ok({ name, scope: words[0] }) : usage()
    case 'task':
      return parseTask(words) ?? usage()
    case 'note':
      return rest ? ok({ name, text: rest }) : usage()
    case 'notes':
      return rest.length <= 200 ? ok({ name, ...(rest ? { query: rest } : {}) }) : usage()
    case 'approve':
    case 'undo':
      return words.length === 1 && ACTION_ID.test(words[0]!) && words[0]!.replace(/-/g, '').length >= 6 ? ok({ name, id: words[0]! } as Command) : usage()
    case 'reject': {
      if (words.length === 0 || !ACTION_ID.test(words[0]!) || words[0]!.replace(/-/g, '').length < 6) return usage()
      const reason = rest.slice(words[0]!.length).trim()
      return reason.length <= 500 ? ok({ name, id: words[0]!, ...(reason ? { reason } : {}) }) : usage()
    }
    case 'personality':
      return parsePersonality(words) ?? usage()
    case 'killswitch': {
      const reason = rest.slice(words[0]?.length ?? 0).trim()
      if (words[0] === 'on' && reason.length <= 500) return ok({ name, on: true, ...(reason ? { reason } : {}) })
      if (words[0] === 'off' && words.length === 1) return ok({ name, on: false })
      return usage()
    }
    default:
      return { ok: false, error: 'unknown', name: name.slice(0, 40) }
  }
}

/** `/task add <title> [!prio] [due:…] [@name]` (the options anywhere after `add`) or `/task done #<n>`. */
function parseTask (words: string[]): Parsed | null {
  if (words[0] === 'done') {
    const m = words.length === 2 ? /^#?(\d{1,9})$/.exec(words[1]!) : null
    return m ? { ok: true, command: { name: 'task done', number: Number(m[1]) } } : null
  }
  if (words[0] !== 'add') return null
  const title: string[] = []
  let priority: Priority | undefined
  let due: DueSpec | undefined
  let assignee: string | undefined
  for (const w of words.slice(1)) {
    if (w.startsWith('!') && w.length > 1) {
      if (priority || !PRIORITIES.has(w.slice(1).toLowerCase())) return null
      priority = w.slice(1).toLowerCase() as Priority
    } else if (/^due:/i.test(w)) {
      const spec = parseDue(w.slice(4))
      if (due || !spec) return null
      due = spec
    } else if (w.startsWith('@') && w.length > 1) {
      if (assignee || w.length > 101) return null
      assignee = w.slice(1)
    } else {
      title.push(w)
    }
  }
  const t = title.join(' ')
  if (t.length === 0 || t.length > 300) return null
  return { ok: true, command: { name: 'task add', title: t, ...(priority ? { priority } : {}), ...(due ? { due } : {}), ...(assignee ? { assignee } : {}) } }
}

/** `/personality`, `/personality coach`, `/personality gandhi=8 auto=6`. */
function parsePersonality (words: string[]): Parsed | null {
  if (words.length === 0) return { ok: true, command: { name: 'personality' } }
  if (words.length === 1 && !words[0]!.includes('=')) {
    return /^[a-z][a-z-]{0,39}$/i.test(words[0]!) ? { ok: true, command: { name: 'personality', preset: words[0]!.toLowerCase() } } : null
  }
  const sliders: Partial<Record<Slider, number>> = {}
  for (const w of words) {
    const m = /^([a-z]+)=(\d{1,2})$/i.exec(w)
    const key = m?.[1]!.toLowerCase()
    const value = Number(m?.[2])
    if (!m || !SLIDERS.has(key!) || sliders[key as Slider] !== undefined || value < 1 || value > 10) return null
    sliders[key as Slider] = value
  }
  return { ok: true, command: { name: 'personality', sliders } }
}
