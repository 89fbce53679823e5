// One answer from the model (SPEC §3.4, §3.7): the prompt, the streamed reply redacted on its way out, and
// tool calls run through ToolsApi and fed back to the model, for at most MAX_ROUNDS rounds. What reaches the
// model is redacted too (notes, tool results); history was redacted when it was stored.
import type { Message, Tool, ToolCall } from 'ollama'
import { uuidv7 } from '@robbie/contracts'
import type { NotesApi, PersonalityApi, ToolCallView, ToolsApi, TurnContext } from '../assistant.types.js'
import type { ConversationsRepository, MessageRow } from '../conversations/conversations.repository.js'
import type { TurnRedactor } from '../redaction/redactor.js'
import { untrusted } from '../tools/untrusted.js'
import { createStreamRedactor } from '../redaction/stream.js'
import type { ServerFrame } from '../ws/frame-bus.js'
import type { Directory } from './directory.js'
import { ModelError, type CallMeta, type ModelClient } from './model.js'
import { buildMessages, HISTORY_TOKENS, NOTE_CHARS, NOTES_MAX } from './prompt.js'

const MAX_ROUNDS = 4
const TOOL_RESULT_CHARS = 16_000

export interface TurnOutcome {
  text: string
  toolCalls: ToolCallView[]
  meta: CallMeta | null
  model: string | null
  tokensIn: number
  tokensOut: number
  redactions: number
}

export interface ModelTurnDeps {
  repo: Pick<ConversationsRepository, 'history'>
  model: ModelClient
  directory: Pick<Directory, 'company' | 'user'>
  personality: PersonalityApi
  notes: NotesApi
  tools: ToolsApi
  now: () => Date
}

/** Runs the model for one assistant message. `progress` holds what streamed so far, also when it throws. */
export async function modelTurn (deps: ModelTurnDeps, a: {
  ctx: TurnContext
  user: MessageRow
  redactor: TurnRedactor
  signal: AbortSignal
  emit: (frame: ServerFrame) => void
  progress: TurnOutcome
}): Promise<void> {
  const { ctx, user, progress } = a
  const identity = ctx.identity
  const [personality, company, me] = await Promise.all([
    deps.personality.get(identity.id), deps.directory.company(), deps.directory.user(identity.id)
  ])
  const compiled = deps.personality.compile(personality)
  const notes = await deps.notes.relevant(identity.id, user.content, NOTES_MAX)
  const safeNotes = await Promise.all(notes.map(async (n) => {
    const title = (await a.redactor.redact(n.title)).text
    const content = (await a.redactor.redact(n.content.slice(0, NOTE_CHARS))).text
    // a note that records an outside source carries outside content: wrapped as data, and the turn is tainted
    const source = 'sourceRef' in n ? (n.sourceRef as { type?: string, id?: string } | null) : null
    if (!source) return { title, content }
    ctx.tainted = true
    const from = `${source.type ?? 'note'}:${source.id ?? n.id}`
    return { title: untrusted(from, title), content: untrusted(from, content) }
  }))
  const history = await deps.repo.history(user.conversationId, user.seq, HISTORY_TOKENS * 4 + 4000)
  const tools = deps.tools.definitions(identity) as Tool[]
  const messages: Message[] = buildMessages({
    companyName: company?.name ?? null,
    ownerName: company?.ownerName ?? null,
    userName: me?.name ?? 'the user',
    role: identity.role ?? 'member',
    isOwner: identity.role === 'owner',
    timeZone: company?.timeZone ?? 'UTC',
    now: deps.now(),
    personality: compiled,
    tools,
    notes: safeNotes,
    history: history.map((m) => ({ role: m.role, content: m.content })),
    message: user.content
  })
  const token = await ctx.userToken()
  const stream = createStreamRedactor(a.redactor)
  let index = 0
  const out = (text: string) => {
    if (text === '') return
    progress.text += text
    a.emit({ type: 'chat.delta', messageId: ctx.messageId, index: index++, text })
  }
  let modelName: 'default' | 'fast' = compiled.useFastModel ? 'fast' : 'default'

  for (let round = 0; round < MAX_ROUNDS; round++) {
    let call
    try {
      call = await deps.model.chat({ token, conversationId: ctx.conversationId, model: modelName, messages, tools, numPredict: compiled.numPredict, priority: 'interactive', signal: a.signal })
    } catch (err) {
      // `fast` is used only "when one is configured" (SPEC §3.3): without it, the default model answers
      if (err instanceof ModelError && err.kind === 'no_model' && err.status === 404 && modelName === 'fast') {
        modelName = 'default'
        round--
        continue
      }
      throw err
    }
    progress.meta = call.meta
    const roundStart = progress.text.length
    const calls: ToolCall[] = []
    for await (const part of call.stream) {
      if (part.message?.content) {
        out(await stream.push(part.message.content))
        progress.redactions = stream.count
      }
      if (part.message?.tool_calls) calls.push(...part.message.tool_calls)
      if (part.done) {
        progress.tokensIn += part.prompt_eval_count ?? 0
        progress.tokensOut += part.eval_count ?? 0
        progress.model = call.meta.model ?? part.model ?? progress.model
      }
    }
    out(await stream.flush())
    progress.redactions = stream.count
    deps.model.saw(true)
    if (calls.length === 0 || round === MAX_ROUNDS - 1) break
    messages.push({ role: 'assistant', content: progress.text.slice(roundStart), tool_calls: calls })
    for (const c of calls) {
      const args = c.function.arguments && typeof c.function.arguments === 'object' ? c.function.arguments : {}
      const id = uuidv7()
      a.emit({ type: 'chat.tool', messageId: ctx.messageId, call: { id, tool: c.function.name, args, status: 'running' } })
      const view = { ...await deps.tools.call(ctx, { name: c.function.name, arguments: args }), id }
      progress.toolCalls.push(view)
      a.emit({ type: 'chat.tool', messageId: ctx.messageId, call: view })
      const result = JSON.stringify(view.result === undefined ? { status: view.status } : { status: view.status, result: view.result })
      messages.push({ role: 'tool', tool_name: c.function.name, content: (await a.redactor.redact(result.slice(0, TOOL_RESULT_CHARS))).text })
    }
  }
}
