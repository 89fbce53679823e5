// The Wave 1 tools of SPEC §3.7: what each takes, its class, who may use it and how much autonomy it needs to run
// unasked. The argument schemas double as the JSON schemas offered to the model (Ollama's `tools` format) and as
// the validator of what the model sends back, so the two can never drift apart.
import { Type, type TObject } from 'typebox'
import { Email, IsoDateTime, Str } from '@robbie/contracts'

export type ToolClass = 'read' | 'prepare' | 'write' | 'external' | 'send'
export type Origin = 'direct' | 'initiative'

const L = <V extends string>(v: V) => Type.Literal(v)
const TaskPriority = Type.Union([L('low'), L('medium'), L('high'), L('critical')])
const TaskCategory = Type.Union(['general', 'email', 'meeting', 'deadline', 'opportunity', 'feedback', 'security', 'analysis', 'planning',
  'research', 'development', 'maintenance', 'optimization', 'learning'].map(L))
const NoteCategory = Type.Union(['intel', 'reference', 'drafts', 'connections', 'ideas'].map(L))
/** A task by id or by its company-wide number (`#12` or `12`). */
const TaskRef = Type.String({ pattern: '^(#?[0-9]{1,9}|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$', maxLength: 36, description: 'the task id, or its number such as #12' })
const Visibility = Type.Union([L('private'), L('company')])
const TaskFields = {
  title: Str(300, 1),
  description: Str(10000),
  priority: TaskPriority,
  dueAt: Type.String({ format: 'date-time', maxLength: 40, description: 'ISO-8601 UTC, e.g. 2025-06-01T17:00:00Z' }),
  category: TaskCategory,
  assigneeName: Type.String({ minLength: 2, maxLength: 100, description: "the assignee's name or email" }),
  visibility: Visibility
}
const optionalFields = {
  description: Type.Optional(TaskFields.description),
  priority: Type.Optional(TaskFields.priority),
  dueAt: Type.Optional(TaskFields.dueAt),
  category: Type.Optional(TaskFields.category),
  assigneeName: Type.Optional(TaskFields.assigneeName),
  visibility: Type.Optional(TaskFields.visibility)
}

const closed = { additionalProperties: false } as const

export const ToolArgs = {
  priorities_surface: Type.Object({ top: Type.Optional(Type.Integer({ minimum: 1, maximum: 20 })) }, closed),
  priorities_search: Type.Object({
    q: Str(200, 1),
    status: Type.Optional(Type.Union([L('pending'), L('in_progress'), L('completed'), L('cancelled')]))
  }, closed),
  task_create: Type.Object({ title: TaskFields.title, ...optionalFields }, closed),
  task_update: Type.Object({
    taskId: TaskRef,
    title: Type.Optional(TaskFields.title),
    ...optionalFields,
    status: Type.Optional(Type.Union([L('pending'), L('in_progress')]))
  }, { ...closed, minProperties: 2 }),
  task_complete: Type.Object({ taskId: TaskRef }, closed),
  note_create: Type.Object({ title: Str(200, 1), content: Str(20000, 1), category: Type.Optional(NoteCategory) }, closed),
  note_search: Type.Object({ q: Str(200, 1) }, closed),
  email_draft: Type.Object({
    to: Type.Array(Email, { minItems: 1, maxItems: 50 }),
    cc: Type.Optional(Type.Array(Email, { maxItems: 50 })),
    subject: Str(300),
    body: Str(50000),
    replyToEmailId: Type.Optional(Str(200, 1))
  }, closed),
  calendar_propose: Type.Object({
    title: Str(300, 1),
    start: IsoDateTime,
    end: IsoDateTime,
    timeZone: Type.Optional(Str(64, 1)),
    attendees: Type.Array(Email, { maxItems: 100 }),
    description: Type.Optional(Str(10000)),
    location: Type.Optional(Str(500))
  }, closed),
  mesh_status: Type.Object({}, closed)
} satisfies Record<string, TObject>

export type ToolName = keyof typeof ToolArgs

export interface ToolSpec {
  name: ToolName
  class: ToolClass
  description: string
  /** email_* and calendar_* touch owner-private data: never offered in anyone else's turn (SPEC §1.2) */
  ownerOnly: boolean
  /** the lowest `auto` at which the call may run unasked (rule 7); null: never (or not applicable) */
  minAuto: number | null
  /** the tool's own extra condition for rule 7 (none in Wave 1) */
  condition?: (args: Record<string, unknown>) => boolean
}

export const TOOL_SPECS: readonly ToolSpec[] = Object.freeze([
  { name: 'priorities_surface', class: 'read', ownerOnly: false, minAuto: null, description: "The user's top priorities right now: quadrant, score and why." },
  { name: 'priorities_search', class: 'read', ownerOnly: false, minAuto: null, description: 'Search the tasks the user may read by words in the title.' },
  { name: 'task_create', class: 'write', ownerOnly: false, minAuto: 6, description: 'Create a task (assigned to the user unless assigneeName is given).' },
  { name: 'task_update', class: 'write', ownerOnly: false, minAuto: 6, description: 'Change fields of a task the user created or is assigned.' },
  { name: 'task_complete', class: 'write', ownerOnly: false, minAuto: 6, description: 'Mark a task as completed.' },
  { name: 'note_create', class: 'write', ownerOnly: false, minAuto: 6, description: 'Remember something as a note for the user.' },
  { name: 'note_search', class: 'read', ownerOnly: false, minAuto: null, description: "Search the user's notes." },
  { name: 'email_draft', class: 'prepare', ownerOnly: true, minAuto: null, description: 'Draft an email for the owner to review; it is never sent without approval.' },
  { name: 'calendar_propose', class: 'prepare', ownerOnly: true, minAuto: null, description: 'Propose a calendar event for the owner to review; nothing is booked without approval.' },
  { name: 'mesh_status', class: 'read', ownerOnly: false, minAuto: null, description: 'Whether a language model is connected, and the GPU nodes and queue.' }
] satisfies ToolSpec[])

export const specOf = (name: string): ToolSpec | undefined => TOOL_SPECS.find((s) => s.name === name)

/** The fields every non-read call may carry besides its own arguments (SPEC §3.7). */
export const MetaArgs = {
  confidence: Type.Number({ minimum: 0, maximum: 1, description: 'how sure you are this is what the user wants, 0–1' }),
  origin: Type.Union([L('direct'), L('initiative')], { description: '"direct" only when the user\'s own message asks for exactly this action' })
}
