// One tool call, start to end (SPEC §3.7): the tool must exist and be offered to this user, its arguments must
// check, then the decision rule says run or ask. Reads run and return; prepare calls file their approval; writes
// that may run are recorded as actions first (so they can be undone); the rest are filed for approval. A bad call
// from the model is a `failed` view, never a throw: the model sees why and may try again.
import { uuidv7, type Identity } from '@robbie/contracts'
import { RobbieError } from '@robbie/service-kit'
import type { FastifyBaseLogger } from 'fastify'
import type { ToolCallView, TurnContext } from '../assistant.types.js'
import type { ActionRow } from '../actions/actions.repository.js'
import type { ActionsService } from '../actions/actions.service.js'
import { decide } from './decision.js'
import type { Executors } from './executors.js'
import type { Killswitch } from './killswitch.js'
import type { PersonalityPort } from './ports.js'
import { MetaArgs, TOOL_SPECS, ToolArgs, specOf, type Origin, type ToolSpec } from './tools.specs.js'
import { checkArgs, splitMeta } from './validate.js'

interface ToolDefinition { type: 'function', function: { name: string, description: string, parameters: Record<string, unknown> } }

/** The schema offered to the model: the tool's arguments, plus confidence and origin for calls with an effect. */
function definition (spec: ToolSpec): ToolDefinition {
  const own = JSON.parse(JSON.stringify(ToolArgs[spec.name])) as { properties: Record<string, unknown>, required?: string[] }
  const effect = spec.class !== 'read'
  const parameters = {
    type: 'object',
    properties: { ...own.properties, ...(effect ? JSON.parse(JSON.stringify(MetaArgs)) as Record<string, unknown> : {}) },
    required: [...(own.required ?? []), ...(spec.class === 'write' ? ['confidence'] : [])],
    additionalProperties: false
  }
  return { type: 'function', function: { name: spec.name, description: spec.description, parameters } }
}

/** At most this much of a refused call's arguments goes back into the view. */
const MAX_ECHO = 4000

export function createToolsService (deps: {
  actions: ActionsService
  executors: Pick<Executors, 'run'>
  killswitch: Pick<Killswitch, 'state'>
  personality: Pick<PersonalityPort, 'get' | 'compile'>
  log: FastifyBaseLogger
}) {
  const offered = (identity: Identity) => TOOL_SPECS.filter((s) => !s.ownerOnly || identity.role === 'owner')

  const viewOf = (id: string, tool: string, args: Record<string, unknown>, a: ActionRow): ToolCallView => ({
    id,
    tool,
    args,
    status: a.status === 'done' ? 'done' : a.status === 'failed' ? 'failed' : 'needs_approval',
    actionId: a.id,
    ...(a.result ? { result: a.result } : {})
  })

  async function run (ctx: TurnContext, name: string, raw: unknown, via: 'model' | 'command'): Promise<ToolCallView> {
    const id = uuidv7()
    const rawArgs = raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? raw as Record<string, unknown> : null
    const failed = (code: string, message: string, details?: unknown): ToolCallView => ({
      id,
      tool: name,
      args: rawArgs && JSON.stringify(rawArgs).length <= MAX_ECHO ? rawArgs : {},
      status: 'failed',
      result: { error: { code, message, ...(details ? { details } : {}) } }
    })
    const spec = specOf(name)
    if (!spec) return failed('CHAT_VALIDATION_FAILED', `There is no tool named ${name.slice(0, 64)}`)
    // owner-only tools are not offered to anyone else; a call naming one anyway is refused the same way
    if (spec.ownerOnly && ctx.identity.role !== 'owner') return failed('CHAT_FORBIDDEN', `${name} is only available to the owner`)
    if (!rawArgs) return failed('CHAT_VALIDATION_FAILED', 'Tool arguments must be a JSON object')
    const split = splitMeta(rawArgs)
    if (!split.ok) return failed('CHAT_VALIDATION_FAILED', split.message, split.details)
    const checked = checkArgs(spec.name, split.value.args)
    if (!checked.ok) return failed('CHAT_VALIDATION_FAILED', checked.message, checked.details)
    const args = checked.value
    // a command is the user's own deterministic request: confidence 1, direct, and no model read anything
    const meta: { confidence: number, origin: Origin } = via === 'command' ? { confidence: 1, origin: 'direct' } : split.value.meta
    const tainted = via === 'command' ? false : ctx.tainted

    try {
      if (spec.class === 'read') {
        const out = await deps.executors.run(spec.name, { identity: ctx.identity, token: ctx.userToken, idempotencyKey: id, author: 'robbie' }, args)
        if (out.tainted) ctx.tainted = true // outside content is now in the turn (SPEC §3.4)
        return { id, tool: name, args, status: 'done', result: out.result }
      }
      const input = {
        tool: spec.name,
        class: spec.class,
        args,
        origin: meta.origin,
        requesterId: ctx.identity.id,
        conversationId: ctx.conversationId,
        messageId: ctx.messageId,
        confidence: meta.confidence,
        taint: tainted
      }
      if (spec.class === 'prepare') {
        // the draft is shown for review; sending or booking it is the follow-up that waits for approval
        const action = await deps.actions.propose({ ...input, result: { [spec.name === 'email_draft' ? 'draft' : 'proposal']: args } })
        return viewOf(id, name, args, action)
      }
      const personality = await deps.personality.get(ctx.identity.id)
      const decision = decide({
        toolClass: spec.class,
        tainted,
        origin: meta.origin,
        killswitch: (await deps.killswitch.state()).active,
        requesterIsOwner: ctx.identity.role === 'owner',
        auto: personality.auto,
        minAuto: spec.minAuto,
        confidence: meta.confidence,
        threshold: deps.personality.compile(personality).autonomyThreshold,
        conditionHolds: spec.condition ? spec.condition(args) : true
      })
      deps.log.debug({ tool: name, rule: decision.rule, outcome: decision.outcome }, 'tool call decided')
      const action = decision.outcome === 'run'
        ? await deps.actions.runNow(input, { identity: ctx.identity, token: ctx.userToken, author: via === 'command' ? 'user' : 'robbie' })
        : await deps.actions.propose(input)
      return viewOf(id, name, args, action)
    } catch (err) {
      if (err instanceof RobbieError) return failed(err.code, err.message)
      deps.log.error({ err, tool: name }, 'tool call failed unexpectedly')
      return failed('CHAT_INTERNAL', 'The tool failed unexpectedly')
    }
  }

  return {
    definitions: (identity: Identity) => offered(identity).map(definition),
    /** A model's call (SPEC §3.7). */
    call: async (ctx: TurnContext, call: { name: string, arguments: Record<string, unknown> }) => await run(ctx, call.name, call.arguments, 'model'),
    /** A command's call: direct, confidence 1, never tainted. */
    direct: async (ctx: TurnContext, name: string, args: Record<string, unknown>) => await run(ctx, name, args, 'command')
  }
}
export type ToolsService = ReturnType<typeof createToolsService>
