// How command replies read (markdown, rendered escaped by the UI): short lines, task numbers, and the id to type
// for an undo or a decision.
import type { ActionRow } from '../actions/actions.repository.js'
import type { MeshView } from '../tools/clients.js'
import type { KillswitchState } from '../tools/killswitch.js'
import type { Task } from '../tools/tasks.js'

/** Markdown special characters in text that came from elsewhere (titles), so it cannot restyle the reply. */
export const md = (s: string) => s.replace(/[\\`*_[\]<>|#]/g, (c) => `\\${c}`).replace(/\s+/g, ' ').trim()

export const day = (iso: string | null | undefined) => (iso ? iso.slice(0, 10) : null)

export function taskLine (t: Pick<Task, 'number' | 'title' | 'priority' | 'dueAt' | 'status'>): string {
  const facts = [t.priority, ...(t.dueAt ? [`due ${day(t.dueAt)!}`] : []), ...(t.status === 'in_progress' ? ['in progress'] : [])]
  return `#${t.number} ${md(t.title)} (${facts.join(', ')})`
}

/** One line saying what an action would do, from its arguments. */
export function actionSummary (a: Pick<ActionRow, 'tool' | 'args'>): string {
  const s = (k: string) => (typeof a.args[k] === 'string' ? md(String(a.args[k])) : '')
  switch (a.tool) {
    case 'task_create': return `create task “${s('title')}”`
    case 'task_update': return `change task ${s('taskId')} (${Object.keys(a.args).filter((k) => k !== 'taskId').join(', ')})`
    case 'task_complete': return `complete task ${s('taskId')}`
    case 'note_create': return `save note “${s('title')}”`
    case 'email_draft': return `email to ${(a.args.to as string[] | undefined ?? []).map(md).join(', ')}: “${s('subject')}”`
    case 'calendar_propose': return `event “${s('title')}” at ${s('start')}`
    default: return a.tool
  }
}

export function statusText (mesh: MeshView | null, ks: KillswitchState): string {
  const lines: string[] = []
  const healthy = mesh?.totals?.healthy ?? mesh?.nodes?.filter((n) => n.status === 'healthy').length ?? 0
  if (!mesh || healthy === 0) {
    lines.push('**Model:** no language model is connected. Commands still work; an admin can add an Ollama node under GPU mesh.')
  } else {
    const total = mesh.totals?.nodes ?? mesh.nodes?.length ?? healthy
    const models = (mesh.models ?? []).map((m) => m.name)
    lines.push(`**Model:** connected, ${healthy} of ${total} node${total === 1 ? '' : 's'} healthy${models.length ? `; models: ${models.map(md).join(', ')}` : ''}`)
  }
  if (mesh?.nodes?.length) lines.push(`**Nodes:** ${mesh.nodes.map((n) => `${md(n.name)} (${n.status})`).join(', ')}`)
  if (mesh?.queue) {
    const by = Object.entries(mesh.queue.byClass ?? {}).map(([k, v]) => `${k} ${v}`).join(', ')
    lines.push(`**Queue:** ${mesh.queue.depth} waiting${by ? ` (${by})` : ''}`)
  }
  lines.push(ks.active
    ? `**Killswitch:** ON${ks.reason ? ` (${md(ks.reason)})` : ''}${ks.known ? '' : ' (assumed: its state could not be read)'}`
    : '**Killswitch:** off')
  return lines.join('\n')
}
