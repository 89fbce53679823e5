// The seams inside chat. The engine (modules/engine, modules/ws, modules/conversations) runs a turn; personality
// and notes (modules/personality, modules/notes) shape the prompt; commands and tools (modules/commands,
// modules/tools, modules/actions) act. Each side builds against these types, so they can be written apart.
import type { Identity } from '@robbie/contracts'

export interface Sliders { gandhi: number, flirty: number, turbo: number, auto: number }
export type Mood = 'friendly' | 'focused' | 'playful' | 'bossy' | 'surprised' | 'blushing'
export type Band = 'low' | 'middle' | 'high'

/** SPEC §3.3 Preview. */
export interface CompiledPersonality {
  systemPrompt: string // the four fragment sentences, one per line, in slider order
  fragments: { slider: keyof Sliders, band: Band, text: string }[]
  mood: Mood
  numPredict: number
  autonomyThreshold: number | null
  fragmentsVersion: 1
  useFastModel: boolean // turbo 8–10
}

export interface Personality extends Sliders { preset: string | null, mood: Mood, version: number, updatedAt: string }

export interface PersonalityApi {
  get (userId: string): Promise<Personality> // defaults (balanced) when the user never set one
  compile (sliders: Sliders): CompiledPersonality // pure, deterministic
}

export interface NotesApi {
  /** Up to `limit` notes visible to the user matching the text (full-text), for prompt assembly (SPEC §3.4). */
  relevant (userId: string, text: string, limit: number): Promise<{ id: string, title: string, content: string }[]>
}

/** One assistant turn, as the commands and tools see it. */
export interface TurnContext {
  identity: Identity // the user (kind 'user'), whose rights every call uses
  conversationId: string
  messageId: string // the assistant message being produced
  tainted: boolean // the turn includes untrusted outside content (SPEC §3.4)
  /** A delegated access token for the user (POST /internal/auth/delegate), for calling other services' public routes. */
  userToken (): Promise<string>
  /** Status line for the UI (`chat.thinking`). */
  thinking (text: string): void
}

/** A frame-ready view of one tool call (`chat.tool` frame's `call`). */
export interface ToolCallView {
  id: string
  tool: string
  args: Record<string, unknown>
  status: 'proposed' | 'running' | 'done' | 'needs_approval' | 'rejected' | 'failed'
  actionId?: string
  result?: unknown
}

export interface CommandOutcome {
  /** Markdown shown to the user as the assistant's reply (stored as the assistant message content). */
  text: string
  /** A notice code when the reply is a notice (e.g. CHAT_UNKNOWN_COMMAND), else undefined. */
  code?: string
  toolCalls?: ToolCallView[]
}

export interface CommandsApi {
  isCommand (content: string): boolean // starts with '/'
  run (ctx: TurnContext, content: string): Promise<CommandOutcome>
  list (): { name: string, usage: string, description: string }[]
}

export interface ToolsApi {
  /** The tools offered to the model for this user in this wave, in Ollama's `tools` format. */
  definitions (identity: Identity): { type: 'function', function: { name: string, description: string, parameters: Record<string, unknown> } }[]
  /** Applies SPEC §3.7's decision rule and runs or files an approval; never throws for bad model arguments. */
  call (ctx: TurnContext, call: { name: string, arguments: Record<string, unknown> }): Promise<ToolCallView>
}
