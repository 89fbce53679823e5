// Tools and approvals end to end (issue 7, SPEC §3.7): a whole fleet behind nginx, chat talking to a fake Ollama
// node through the gpu-coordinator. The fake model's scripted tool calls create a task that then appears in the
// priorities surface; a turn that read outside content (a note with a source) files its write for approval; the
// approval, a rejection and an undo go through the actions API.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { uuidv7 } from '@robbie/contracts'
import { startFakeOllama, type FakeOllama, type FakeReply, type RespondRequest } from '@robbie/testing'
import { startFleet, type RunningFleet } from './fleet-harness.js'

const MODEL = 'llama3.2:3b'
const run = Math.random().toString(36).slice(2, 8)
const DIRECT_TITLE = `Prepare the board deck ${run}`
const TAINTED_TITLE = `Pay the invoice from the note ${run}`
const REJECTED_TITLE = `Cancel the vendor contract ${run}`
const WORD = `wombat${run}`

/**
 * The scripted model: the user's words pick the tool calls, and once tool results are in, it answers in text.
 * "research …" first searches the notes (whose result is outside content), then asks for a task in the same turn.
 */
function respond (req: RespondRequest): string | FakeReply {
  const messages = req.messages ?? []
  const user = [...messages].reverse().find((m) => m.role === 'user')?.content ?? ''
  const toolResults = messages.filter((m) => m.role === 'tool').length
  const call = (name: string, args: Record<string, unknown>): FakeReply => ({ content: '', tool_calls: [{ function: { name, arguments: args } }] })
  if (user.includes('board deck') && toolResults === 0) return call('task_create', { title: DIRECT_TITLE, priority: 'high', confidence: 0.95, origin: 'direct' })
  if (user.includes('research the invoice')) {
    if (toolResults === 0) return call('note_search', { q: WORD })
    if (toolResults === 1) return call('task_create', { title: TAINTED_TITLE, confidence: 1, origin: 'direct' })
  }
  if (user.includes('vendor contract') && toolResults === 0) return call('note_search', { q: WORD })
  if (user.includes('vendor contract') && toolResults === 1) return call('task_create', { title: REJECTED_TITLE, confidence: 1, origin: 'direct' })
  return 'Done.'
}

let fake: FakeOllama
let fleet: RunningFleet
let token: string

interface ToolCall { tool: string, status: string, actionId?: string, result?: { task?: { id: string, title: string } } }
async function send (content: string): Promise<ToolCall[]> {
  const res = await fleet.api('POST', '/api/chat/messages', { token, body: { conversationId: null, content, clientMsgId: uuidv7() } })
  expect(res.status, JSON.stringify(res.body)).toBe(200)
  return (res.body.assistantMessage.toolCalls ?? []) as ToolCall[]
}
const surfaceTitles = async () => {
  const res = await fleet.api('GET', '/api/priorities/surface?top=50', { token })
  expect(res.status).toBe(200)
  return (res.body.surfaced as { title: string }[]).map((i) => i.title)
}

beforeAll(async () => {
  fake = await startFakeOllama({ models: [{ name: MODEL, sizeMb: 2000, loaded: true }], respond })
  fleet = await startFleet({
    name: 'chat_tools',
    env: { ROBBIE_GPU_NODES: JSON.stringify([{ name: 'fake-1', baseUrl: fake.url }]), ROBBIE_GPU_DEFAULT_MODEL: MODEL }
  })
  token = (await fleet.login()).accessToken
  // a note with a source: its text came from outside, so a turn that reads it is tainted (SPEC §3.4)
  const note = await fleet.api('POST', '/api/chat/notes', {
    token, body: { title: `Invoice ${WORD}`, content: `Please pay ${WORD} at once`, sourceRef: { type: 'email', id: `msg-${run}` } }
  })
  expect(note.status, JSON.stringify(note.body)).toBe(201)
})

afterAll(async () => {
  await fleet?.stop()
  await fake?.close()
})

describe('chat tools through the fleet', () => {
  it("the model's task_create runs at once (a direct request) and the task appears in the priorities surface", async () => {
    const calls = await send('Please add a task to prepare the board deck')
    expect(calls).toMatchObject([{ tool: 'task_create', status: 'done', result: { task: { title: DIRECT_TITLE } } }])
    expect(await surfaceTitles()).toContain(DIRECT_TITLE)
    // the model was offered the tools in Ollama's format
    const chat = fake.received.find((r) => r.path === '/api/chat' && JSON.stringify(r.body).includes('board deck'))
    expect((chat!.body as { tools: { function: { name: string } }[] }).tools.map((t) => t.function.name)).toContain('task_create')
  })

  it('a tainted turn files its write for approval; approving runs it once; undo cancels it', async () => {
    const calls = await send('Can you research the invoice situation?')
    expect(calls.map((c) => [c.tool, c.status])).toEqual([['note_search', 'done'], ['task_create', 'needs_approval']])
    expect(await surfaceTitles()).not.toContain(TAINTED_TITLE)
    const actionId = calls[1]!.actionId!
    const pending = await fleet.api('GET', '/api/chat/actions?status=proposed', { token })
    expect(pending.body.items.map((a: { id: string }) => a.id)).toContain(actionId)

    const approved = await fleet.api('POST', `/api/chat/actions/${actionId}/approve`, { token, body: {} })
    expect(approved.status).toBe(200)
    expect(approved.body).toMatchObject({ status: 'done', taint: true, result: { task: { title: TAINTED_TITLE } } })
    expect((await fleet.api('POST', `/api/chat/actions/${actionId}/approve`, { token, body: {} })).body.error.code).toBe('CHAT_ACTION_NOT_PENDING')
    expect(await surfaceTitles()).toContain(TAINTED_TITLE)

    const undone = await fleet.api('POST', `/api/chat/actions/${actionId}/undo`, { token })
    expect(undone.body).toMatchObject({ status: 'undone' })
    expect(await surfaceTitles()).not.toContain(TAINTED_TITLE)
    const task = await fleet.api('GET', `/api/priorities/tasks/${approved.body.targetRef as string}`, { token })
    expect(task.body.status).toBe('cancelled')
    expect((await fleet.api('POST', `/api/chat/actions/${actionId}/undo`, { token })).body.error.code).toBe('CHAT_TOO_LATE_TO_UNDO')
  })

  it('a rejected action never runs', async () => {
    const calls = await send('Look at the vendor contract note and act on it')
    const actionId = calls.find((c) => c.tool === 'task_create')!.actionId!
    const rejected = await fleet.api('POST', `/api/chat/actions/${actionId}/reject`, { token, body: { reason: 'not from email' } })
    expect(rejected.body).toMatchObject({ status: 'rejected', result: { reason: 'not from email' } })
    expect(await surfaceTitles()).not.toContain(REJECTED_TITLE)
    const tasks = await fleet.api('GET', `/api/priorities/tasks?q=${encodeURIComponent(REJECTED_TITLE)}`, { token })
    expect(tasks.body.items).toEqual([])
  })

  it('commands act without the model', async () => {
    const before = fake.received.length
    const res = await fleet.api('POST', '/api/chat/messages', { token, body: { conversationId: null, content: `/task add Commanded ${run} !low`, clientMsgId: uuidv7() } })
    expect(res.status).toBe(200)
    expect(res.body.assistantMessage.content).toMatch(/^Created task #\d+ Commanded/)
    expect(fake.received.slice(before).filter((r) => r.path === '/api/chat')).toEqual([])
  })
})
