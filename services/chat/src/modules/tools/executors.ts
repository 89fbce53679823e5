// What each tool does once the decision rule lets it run (SPEC §3.7), and how a write is undone: tasks through
// priorities with the user's token and `Idempotency-Key = action id` (a retried or re-approved action has one
// effect), notes through chat's notes module. Prepare tools have no executor: their draft waits in the action.
import type { Identity } from '@robbie/contracts'
import { RobbieError } from '@robbie/service-kit'
import type { MeshClient, PrioritiesClient } from './clients.js'
import type { NotesPort } from './ports.js'
import { taskBrief, type Task, type Tasks } from './tasks.js'
import type { ToolName } from './tools.specs.js'
import { UNTRUSTED_NOTE, untrusted } from './untrusted.js'

export interface ExecContext {
  identity: Identity
  token (): Promise<string>
  /** the action id: the owning service runs a request with this key once */
  idempotencyKey: string
  author: 'user' | 'robbie'
}

export interface Executed {
  result: Record<string, unknown>
  targetService?: string
  targetRef?: string
  /** what an undo needs (kept in the action, never shown) */
  undo?: Record<string, unknown>
  /** the result carries outside content: the turn becomes tainted */
  tainted?: boolean
}

type Args = Record<string, unknown>
type Executor = (ctx: ExecContext, args: Args) => Promise<Executed>
type Undoer = (ctx: ExecContext, undo: Record<string, unknown>) => Promise<void>

const TASK_FIELDS = ['title', 'description', 'priority', 'category', 'dueAt', 'visibility', 'status'] as const

interface SurfaceItem { id: string, kind: string, title: string, quadrant: string, label: string, score: number, why: string, deadline: string | null, taint: boolean }

export function createExecutors (deps: { priorities: PrioritiesClient, tasks: Tasks, notes: NotesPort, mesh: MeshClient }) {
  const { priorities, tasks, notes } = deps

  /** The task body priorities takes, with `assigneeName` resolved to a user id. */
  async function taskBody (args: Args): Promise<Args> {
    const body: Args = {}
    for (const k of TASK_FIELDS) if (args[k] !== undefined) body[k] = args[k]
    if (typeof args.assigneeName === 'string') body.assigneeUserId = await tasks.assignee(args.assigneeName)
    return body
  }

  const executors: Partial<Record<ToolName, Executor>> = {
    async priorities_surface (ctx, args) {
      const top = typeof args.top === 'number' ? args.top : 5
      const s = await priorities.call<{ surfaced: SurfaceItem[], stats: Record<string, unknown> }>(await ctx.token(), 'GET', `/surface?top=${top}`)
      const tainted = s.surfaced.some((i) => i.taint)
      const items = s.surfaced.map((i) => ({
        id: i.id,
        kind: i.kind,
        quadrant: i.quadrant,
        label: i.label,
        score: i.score,
        why: i.why,
        deadline: i.deadline,
        // an item derived from an email or a transcript has a title written by someone outside
        title: i.taint ? untrusted(`${i.kind}:${i.id}`, i.title) : i.title
      }))
      return { result: { items, stats: s.stats, ...(tainted ? { note: UNTRUSTED_NOTE } : {}) }, tainted }
    },

    async priorities_search (ctx, args) {
      const qs = new URLSearchParams({ q: String(args.q), limit: '20', ...(typeof args.status === 'string' ? { status: args.status } : {}) })
      const page = await priorities.call<{ items: Task[] }>(await ctx.token(), 'GET', `/tasks?${qs.toString()}`)
      return { result: { items: page.items.map(taskBrief) } }
    },

    async task_create (ctx, args) {
      const body = await taskBody(args)
      const token = await ctx.token()
      const r = await priorities.call<{ status: 'created' | 'existing', task: Task }>(token, 'POST', '/tasks', { body, idempotencyKey: ctx.idempotencyKey })
      return {
        result: { status: r.status, task: taskBrief(r.task) },
        targetService: 'priorities',
        targetRef: r.task.id,
        // a duplicate links to an existing task: nothing was created, so an undo has nothing to cancel
        undo: { taskId: r.task.id, created: r.status === 'created' }
      }
    },

    async task_update (ctx, args) {
      const token = await ctx.token()
      const before = await tasks.resolve(token, String(args.taskId))
      const body = await taskBody(args)
      const previous: Args = {}
      for (const k of Object.keys(body)) previous[k] = before[k as keyof Task] // every body key is a task field
      const after = await priorities.call<Task>(token, 'PATCH', `/tasks/${before.id}`, { body })
      return { result: { task: taskBrief(after) }, targetService: 'priorities', targetRef: before.id, undo: { taskId: before.id, previous } }
    },

    async task_complete (ctx, args) {
      const token = await ctx.token()
      const before = await tasks.resolve(token, String(args.taskId))
      const after = await priorities.call<Task>(token, 'POST', `/tasks/${before.id}/complete`, { idempotencyKey: ctx.idempotencyKey })
      return { result: { task: taskBrief(after) }, targetService: 'priorities', targetRef: before.id, undo: { taskId: before.id, previous: { status: before.status } } }
    },

    async note_create (ctx, args) {
      const note = await notes.create(ctx.identity, {
        title: String(args.title),
        content: String(args.content),
        ...(typeof args.category === 'string' ? { category: args.category as never } : {}),
        author: ctx.author
      })
      return { result: { note: { id: note.id, title: note.title, category: note.category } }, targetService: 'chat', targetRef: note.id, undo: { noteId: note.id, author: ctx.author } }
    },

    async note_search (ctx, args) {
      const found = await notes.search(ctx.identity, String(args.q), 10)
      const tainted = found.some((n) => n.sourceRef)
      const items = found.map((n) => ({
        id: n.id,
        category: n.category,
        title: n.sourceRef ? untrusted(`${n.sourceRef.type}:${n.sourceRef.id}`, n.title) : n.title,
        content: n.sourceRef ? untrusted(`${n.sourceRef.type}:${n.sourceRef.id}`, n.content) : n.content
      }))
      return { result: { items, ...(tainted ? { note: UNTRUSTED_NOTE } : {}) }, tainted }
    },

    async mesh_status (ctx) {
      const mesh = await deps.mesh.mesh(await ctx.token())
      if (!mesh) return { result: { connected: false, message: 'No language model is connected.' } }
      const healthy = mesh.totals?.healthy ?? mesh.nodes?.filter((n) => n.status === 'healthy').length ?? 0
      return {
        result: {
          connected: healthy > 0,
          totals: mesh.totals ?? null,
          queueDepth: mesh.queue?.depth ?? null,
          models: (mesh.models ?? []).map((m) => m.name),
          nodes: (mesh.nodes ?? []).map((n) => ({ name: n.name, status: n.status }))
        }
      }
    }
  }

  const undoers: Partial<Record<ToolName, Undoer>> = {
    async task_create (ctx, undo) {
      if (undo.created !== true) return
      try {
        await priorities.call(await ctx.token(), 'DELETE', `/tasks/${String(undo.taskId)}`)
      } catch (err) {
        // cancelled meanwhile: the task is already gone, which is what the undo wants
        if (!(err instanceof RobbieError && err.code === 'PRIORITIES_TASK_CLOSED')) throw err
      }
    },
    async task_update (ctx, undo) {
      await priorities.call(await ctx.token(), 'PATCH', `/tasks/${String(undo.taskId)}`, { body: undo.previous })
    },
    async task_complete (ctx, undo) {
      await priorities.call(await ctx.token(), 'PATCH', `/tasks/${String(undo.taskId)}`, { body: undo.previous })
    },
    async note_create (ctx, undo) {
      await notes.remove(ctx.identity, String(undo.noteId), undo.author === 'user' ? 'user' : 'robbie')
    }
  }

  return {
    has: (tool: ToolName) => executors[tool] !== undefined,
    canUndo: (tool: ToolName) => undoers[tool] !== undefined,
    async run (tool: ToolName, ctx: ExecContext, args: Args): Promise<Executed> {
      const exec = executors[tool]
      if (!exec) throw new RobbieError('CHAT_CONFLICT', `${tool} does not run by itself`, 409)
      return await exec(ctx, args)
    },
    async undo (tool: ToolName, ctx: ExecContext, undo: Record<string, unknown>): Promise<void> {
      const fn = undoers[tool]
      if (!fn) throw new RobbieError('CHAT_TOO_LATE_TO_UNDO', `${tool} cannot be undone`, 409)
      await fn(ctx, undo)
    }
  }
}
export type Executors = ReturnType<typeof createExecutors>
