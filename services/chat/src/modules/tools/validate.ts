// Checking what a model (or an approver's edits) hands a tool, before anything runs: the tool's own arguments
// against its schema, unknown fields refused, plus `confidence` (missing → 0) and `origin` (missing → initiative).
// Models often send numbers as strings, so scalar types are converted first; nothing else is forgiven.
import { Value } from 'typebox/value'
import type { ErrorDetail } from '@robbie/service-kit'
import { ToolArgs, type Origin, type ToolName } from './tools.specs.js'

type Checked<T> = { ok: true, value: T } | { ok: false, message: string, details: ErrorDetail[] }

const problems = (schema: unknown, value: unknown, prefix: string): ErrorDetail[] =>
  [...Value.Errors(schema as never, value)].slice(0, 10).map((e) => ({ path: `${prefix}${e.instancePath}`, rule: e.keyword }))

/** The tool's own arguments, converted and checked. */
export function checkArgs (tool: ToolName, raw: Record<string, unknown>, prefix = 'arguments'): Checked<Record<string, unknown>> {
  const schema = ToolArgs[tool]
  const value = Value.Convert(schema, structuredClone(raw)) as Record<string, unknown>
  if (tool === 'task_update' || tool === 'task_complete') {
    // a task number given as a number: #12
    if (typeof raw.taskId === 'number' && Number.isInteger(raw.taskId)) value.taskId = `#${raw.taskId}`
  }
  if (Value.Check(schema, value)) return { ok: true, value }
  const details = problems(schema, value, prefix)
  return { ok: false, message: `Invalid arguments for ${tool}: ${details.map((d) => `${d.path} (${d.rule})`).join(', ')}`, details }
}

interface Meta { confidence: number, origin: Origin }

/** Splits `confidence` and `origin` off the model's arguments. */
export function splitMeta (raw: Record<string, unknown>): Checked<{ meta: Meta, args: Record<string, unknown> }> {
  const { confidence, origin, ...args } = raw
  const c = typeof confidence === 'string' && confidence.trim() !== '' ? Number(confidence) : confidence
  if (c !== undefined && c !== null && (typeof c !== 'number' || !Number.isFinite(c) || c < 0 || c > 1)) {
    return { ok: false, message: 'confidence must be a number from 0 to 1', details: [{ path: 'arguments/confidence', rule: 'range' }] }
  }
  if (origin !== undefined && origin !== null && origin !== 'direct' && origin !== 'initiative') {
    return { ok: false, message: 'origin must be "direct" or "initiative"', details: [{ path: 'arguments/origin', rule: 'enum' }] }
  }
  return { ok: true, value: { meta: { confidence: typeof c === 'number' ? c : 0, origin: origin === 'direct' ? 'direct' : 'initiative' }, args } }
}
