// Running a parsed command (SPEC §3.6) for the user of a turn. Writes go through the tools as direct requests
// (confidence 1, never tainted), so they are actions that `/undo` reverses; reads call priorities, the notes, the
// mesh and auth with the user's own rights. No model is involved, so every command works without one.
import { genericError, RobbieError } from '@robbie/service-kit'
import type { FastifyBaseLogger } from 'fastify'
import type { CommandOutcome, ToolCallView, TurnContext } from '../assistant.types.js'
import type { ActionRow } from '../actions/actions.repository.js'
import type { Tools } from '../tools/index.js'
import type { NotesPort, PersonalityPort } from '../tools/ports.js'
import type { Task } from '../tools/tasks.js'
import { knownZone, resolveDue } from './due.js'
import { actionSummary, day, md, statusText, taskLine } from './format.js'
import { COMMANDS, parseCommand, type Command } from './parser.js'

interface CommandsDeps {
  tools: Pick<Tools, 'direct' | 'actions' | 'directory' | 'priorities' | 'mesh' | 'killswitch'>
  personality: PersonalityPort
  notes: Pick<NotesPort, 'search'>
  log: FastifyBaseLogger
  clock?: () => Date
}

const notice = (text: string, code: string): CommandOutcome => ({ text, code })

export function createCommandsService (deps: CommandsDeps) {
  const { tools } = deps
  const clock = deps.clock ?? (() => new Date())

  /** The reply to a write made through a tool: what happened, and the id that undoes it. */
  async function afterWrite (ctx: TurnContext, view: ToolCallView, done: (result: Record<string, unknown>) => string): Promise<CommandOutcome> {
    if (view.status === 'failed') {
      const e = (view.result as { error?: { code: string, message: string } } | undefined)?.error
      return { ...notice(e?.message ?? 'That did not work.', e?.code ?? 'CHAT_CONFLICT'), toolCalls: [view] }
    }
    const short = view.actionId ? (await tools.actions.shortIds(ctx.identity, [view.actionId])).get(view.actionId) : undefined
    return { text: `${done((view.result ?? {}) as Record<string, unknown>)}${short ? ` Undo: \`/undo ${short}\`` : ''}`, toolCalls: [view] }
  }

  /** The user's one action named by an id prefix, or the reply saying why there is none. */
  async function oneAction (ctx: TurnContext, prefix: string): Promise<{ row: ActionRow } | { reply: CommandOutcome }> {
    const rows = await tools.actions.byPrefix(ctx.identity, prefix)
    if (rows.length === 0) return { reply: notice(`None of your actions has an id starting with ${md(prefix)}. See /approvals.`, 'CHAT_NOT_FOUND') }
    if (rows.length > 1) return { reply: notice(`${md(prefix)} matches ${rows.length === 5 ? 'several' : rows.length} of your actions: give more of the id.`, 'CHAT_VALIDATION_FAILED') }
    return { row: rows[0]! }
  }

  /** The company's time zone, which dates `due:` words; the directory says null when auth cannot answer. */
  async function companyZone (): Promise<string> {
    const company = await tools.directory.company()
    if (!company) throw genericError('chat', 'UNAVAILABLE', 'auth is unavailable right now', { headers: { 'retry-after': '5' } })
    return company.timeZone
  }

  async function openTasks (token: string, scope: 'mine' | 'all'): Promise<Task[]> {
    const pages = await Promise.all(['pending', 'in_progress'].map(async (status) =>
      await tools.priorities.call<{ items: Task[] }>(token, 'GET', `/tasks?status=${status}&limit=50${scope === 'mine' ? '&assignee=me' : ''}`)))
    return pages.flatMap((p) => p.items).sort((a, b) => a.number - b.number)
  }

  const handlers: { [N in Command['name']]: (ctx: TurnContext, c: Extract<Command, { name: N }>) => Promise<CommandOutcome> } = {
    async help () {
      return { text: ['**Commands**', ...COMMANDS.map((c) => `- \`${c.usage}\`: ${c.description}`)].join('\n') }
    },

    async priorities (ctx, c) {
      const s = await tools.priorities.call<{ surfaced: { title: string, quadrant: string, label: string, score: number, why: string, taint: boolean }[] }>(
        await ctx.userToken(), 'GET', `/surface?top=${c.n}`)
      if (s.surfaced.length === 0) return { text: 'Nothing needs your attention right now.' }
      // outside text (an email's subject) is now in this reply, and so in the conversation's history
      if (s.surfaced.some((i) => i.taint)) ctx.tainted = true
      return { text: s.surfaced.map((i, n) => `${n + 1}. **${md(i.title)}**: ${i.quadrant} ${i.label} · ${i.score.toFixed(1)}${i.why ? ` · ${md(i.why)}` : ''}`).join('\n') }
    },

    async tasks (ctx, c) {
      const list = await openTasks(await ctx.userToken(), c.scope)
      if (list.length === 0) return { text: c.scope === 'mine' ? 'You have no open tasks.' : 'There are no open tasks you can see.' }
      return { text: list.map((t) => `- ${taskLine(t)}`).join('\n') }
    },

    async 'task add' (ctx, c) {
      const dueAt = c.due ? resolveDue(c.due, clock(), knownZone(await companyZone())).toISOString() : undefined
      const view = await tools.direct(ctx, 'task_create', {
        title: c.title, ...(c.priority ? { priority: c.priority } : {}), ...(dueAt ? { dueAt } : {}), ...(c.assignee ? { assigneeName: c.assignee } : {})
      })
      return await afterWrite(ctx, view, (r) => {
        const t = r.task as Task
        return r.status === 'existing'
          ? `A similar open task already exists: ${taskLine(t)}. Nothing new was created.`
          : `Created task ${taskLine(t)}.`
      })
    },

    async 'task done' (ctx, c) {
      const view = await tools.direct(ctx, 'task_complete', { taskId: `#${c.number}` })
      return await afterWrite(ctx, view, (r) => `Completed #${(r.task as Task).number} ${md((r.task as Task).title)}.`)
    },

    async note (ctx, c) {
      const first = c.text.split('\n')[0]!.trim()
      const title = first.length <= 80 ? first : `${first.slice(0, 79).replace(/\s+\S*$/, '')}…`
      const view = await tools.direct(ctx, 'note_create', { title, content: c.text })
      return await afterWrite(ctx, view, () => `Noted: “${md(title)}”.`)
    },

    async notes (ctx, c) {
      const found = await deps.notes.search(ctx.identity, c.query, 10)
      if (found.length === 0) return { text: c.query ? `No notes match “${md(c.query)}”.` : 'You have no notes yet. Add one with /note.' }
      if (found.some((n) => n.sourceRef)) ctx.tainted = true
      return { text: found.map((n) => `- **${md(n.title)}** (${n.category})${n.content && n.content !== n.title ? `: ${md(n.content).slice(0, 120)}` : ''}`).join('\n') }
    },

    async approvals (ctx) {
      const { items } = await tools.actions.list(ctx.identity, { status: 'proposed', limit: 20 })
      if (items.length === 0) return { text: 'Nothing is waiting for your approval.' }
      const ids = await tools.actions.shortIds(ctx.identity, items.map((a) => a.id))
      return {
        text: ['**Waiting for your approval**', ...items.map((a) =>
          `- \`${ids.get(a.id)!}\` ${actionSummary(a)}${a.taint ? ' (from a conversation with outside content)' : ''}, until ${day(a.expiresAt?.toISOString())!}`),
        'Decide with `/approve <id>` or `/reject <id> [reason]`.'].join('\n')
      }
    },

    async approve (ctx, c) {
      const found = await oneAction(ctx, c.id)
      if ('reply' in found) return found.reply
      const a = await tools.actions.approve(ctx.identity, found.row.id, undefined)
      if (a.status === 'approved') return { text: `Approved: ${actionSummary(a)}. It waits for the email and calendar integration (integration-sync), which carries it out when connected.` }
      if (a.status === 'failed') return notice(`Approved, but it failed: ${md(a.error ?? 'unknown error')}`, 'CHAT_CONFLICT')
      return { text: `Approved and done: ${actionSummary(a)}.` }
    },

    async reject (ctx, c) {
      const found = await oneAction(ctx, c.id)
      if ('reply' in found) return found.reply
      const a = await tools.actions.reject(ctx.identity, found.row.id, c.reason)
      return { text: `Rejected: ${actionSummary(a)}.` }
    },

    async undo (ctx, c) {
      const found = await oneAction(ctx, c.id)
      if ('reply' in found) return found.reply
      const a = await tools.actions.undo(ctx.identity, found.row.id)
      return { text: `Undone: ${actionSummary(a)}.` }
    },

    async status (ctx) {
      const [mesh, ks] = await Promise.all([tools.mesh.mesh(await ctx.userToken()), tools.killswitch.state()])
      return { text: statusText(mesh, ks) }
    },

    async personality (ctx, c) {
      const show = (p: { gandhi: number, flirty: number, turbo: number, auto: number, preset: string | null, mood: string }) =>
        `gandhi ${p.gandhi} · flirty ${p.flirty} · turbo ${p.turbo} · auto ${p.auto} (${p.preset ? `preset ${p.preset}, ` : ''}mood ${p.mood})`
      if (!c.preset && !c.sliders) {
        const p = await deps.personality.get(ctx.identity.id)
        return { text: `Personality: ${show(p)}\nPresets: ${deps.personality.presets().items.map((x) => x.name).join(', ')}` }
      }
      const p = await deps.personality.set(ctx.identity.id, c.preset ? { preset: c.preset } : { ...c.sliders }, { userId: ctx.identity.id, via: 'command' })
      return { text: `Personality set: ${show(p)}` }
    },

    async killswitch (ctx, c) {
      if (ctx.identity.role !== 'owner' && ctx.identity.role !== 'admin') return notice('Only the owner or an admin can use /killswitch.', 'CHAT_FORBIDDEN')
      const state = await tools.directory.setKillswitch(await ctx.userToken(), c.on ? { active: true, reason: c.reason ?? 'Activated from chat' } : { active: false })
      return {
        text: state.active
          ? `Killswitch is ON: Robbie takes no initiative and outbound actions are held until it is released.${state.reason ? ` Reason: ${md(state.reason)}` : ''}`
          : 'Killswitch released: initiative and outbound actions resume.'
      }
    }
  }

  return {
    async run (ctx: TurnContext, content: string): Promise<CommandOutcome> {
      const parsed = parseCommand(content)
      if (!parsed.ok) {
        return parsed.error === 'unknown'
          ? notice(`I don't know the command /${md(parsed.name)}. Type /help to see the commands.`, 'CHAT_UNKNOWN_COMMAND')
          : notice(`Usage: \`${parsed.usage}\``, 'CHAT_VALIDATION_FAILED')
      }
      const command = parsed.command
      try {
        return await (handlers[command.name] as (ctx: TurnContext, c: Command) => Promise<CommandOutcome>)(ctx, command)
      } catch (err) {
        if (err instanceof RobbieError) return notice(err.message, err.code)
        deps.log.error({ err, command: command.name }, 'command failed unexpectedly')
        return notice('That command failed unexpectedly.', 'CHAT_INTERNAL')
      }
    }
  }
}
