// The built-in commands of SPEC §3.6, each against real priorities and chat modules, with no model anywhere: the
// coordinator is unreachable in this file unless a test scripts its mesh.
import { beforeAll, describe, expect, it } from 'vitest'
import { resolveDue } from '../src/modules/commands/due.js'
import { buildWithUsers, tasksTitled, unique, type Cb2App, type User } from './cb2-helper.js'

let h: Cb2App
let owner: User
let member: User
beforeAll(async () => { ({ h, owner, member } = await buildWithUsers({ owner: 'Olivia Owner', member: 'Max Member' })) })

const run = async (u: User, text: string) => await h.commands.run(h.turn(u), text)

describe('parsing, help and mistakes', () => {
  it('recognises commands', () => {
    expect(h.commands.isCommand('/help')).toBe(true)
    expect(h.commands.isCommand('hello /help')).toBe(false)
  })

  it('/help lists every command that list() gives autocomplete', async () => {
    const out = await run(member, '/help')
    expect(out.code).toBeUndefined()
    expect(h.commands.list().map((c) => c.name)).toEqual(['help', 'priorities', 'tasks', 'task', 'note', 'notes', 'approvals', 'approve', 'reject', 'undo', 'status', 'personality', 'killswitch'])
    for (const c of h.commands.list()) expect(out.text).toContain(`\`${c.usage}\`: ${c.description}`)
  })

  it('an unknown command is the CHAT_UNKNOWN_COMMAND notice pointing at /help', async () => {
    expect(await run(member, '/dance')).toEqual({ code: 'CHAT_UNKNOWN_COMMAND', text: expect.stringContaining('/help') as string })
  })

  it('bad arguments answer the usage line', async () => {
    expect(await run(member, '/priorities 50')).toEqual({ code: 'CHAT_VALIDATION_FAILED', text: 'Usage: `/priorities [n]`' })
    expect((await run(member, '/task add')).text).toContain('/task add <title>')
    expect((await run(member, '/task add Report due:someday')).code).toBe('CHAT_VALIDATION_FAILED')
  })
})

describe('tasks', () => {
  it('/task add with priority, due and @name creates the task at once, in the company time zone', async () => {
    const dana = await h.standIn.user('member', 'Dana Reyes')
    const title = unique('Send the renewal offer')
    const before = new Date()
    const out = await run(owner, `/task add ${title} !high due:tomorrow @dana`)
    expect(out.code).toBeUndefined()
    expect(out.text).toMatch(/^Created task #\d+ /)
    expect(out.text).toMatch(/Undo: `\/undo [0-9a-f]{8,}`/)
    expect(out.toolCalls).toMatchObject([{ tool: 'task_create', status: 'done' }])
    const [task] = await tasksTitled(h, owner, title)
    // America/New_York (the stand-in company's zone): the end of tomorrow there
    expect(task).toMatchObject({ priority: 'high', assigneeUserId: dana.id, dueAt: resolveDue({ kind: 'tomorrow' }, before, 'America/New_York').toISOString() })
    const { rows } = await h.app.db.query('SELECT origin, confidence, taint FROM actions WHERE id = $1', [out.toolCalls![0]!.actionId])
    expect(rows[0]).toEqual({ origin: 'direct', confidence: 1, taint: false })
  })

  it('/task add runs even in a turn the engine marked tainted: the command is the user\'s own words', async () => {
    const title = unique('Typed by hand')
    const out = await h.commands.run(h.turn(member, { tainted: true }), `/task add ${title}`)
    expect(out.toolCalls![0]!.status).toBe('done')
    expect(await tasksTitled(h, member, title)).toHaveLength(1)
  })

  it('/task add @nobody says so and creates nothing', async () => {
    const title = unique('For a ghost')
    const out = await run(member, `/task add ${title} @zelda`)
    expect(out).toMatchObject({ code: 'CHAT_NOT_FOUND', text: 'No active user matches @zelda' })
    expect(await tasksTitled(h, member, title)).toHaveLength(0)
  })

  it('/tasks lists open tasks with numbers; mine by default, all on request', async () => {
    const u = await h.standIn.user('member')
    const a = unique('First open')
    const b = unique('Second open')
    await run(u, `/task add ${a}`)
    await run(u, `/task add ${b} !critical`)
    const mine = await run(u, '/tasks')
    expect(mine.text.split('\n')).toEqual([expect.stringMatching(new RegExp(`^- #\\d+ ${a} \\(medium\\)$`)), expect.stringMatching(new RegExp(`^- #\\d+ ${b} \\(critical\\)$`))])
    expect((await run(u, '/tasks all')).text).toContain(b)
    expect((await run(await h.standIn.user('member'), '/tasks')).text).toBe('You have no open tasks.')
  })

  it('/task done #n completes it; an unknown number says so', async () => {
    const title = unique('Finish me')
    await run(member, `/task add ${title}`)
    const [task] = await tasksTitled(h, member, title)
    const out = await run(member, `/task done #${task!.number}`)
    expect(out.text).toContain(`Completed #${task!.number}`)
    expect((await tasksTitled(h, member, title))[0]!.status).toBe('completed')
    expect(await run(member, '/task done #99999999')).toMatchObject({ code: 'CHAT_NOT_FOUND' })
    expect(await run(member, `/task done #${task!.number}`)).toMatchObject({ code: 'PRIORITIES_TASK_CLOSED' })
  })

  it('/priorities [n] shows the surfaced items with quadrant, score and why', async () => {
    const u = await h.standIn.user('member')
    const title = unique('Urgent thing')
    await run(u, `/task add ${title} !critical due:today`)
    const out = await run(u, '/priorities 3')
    expect(out.text).toMatch(new RegExp(`^1\\. \\*\\*${title}\\*\\*: Q1 Do now · \\d+\\.\\d · `))
    expect((await run(await h.standIn.user('member'), '/priorities')).text).toBe('Nothing needs your attention right now.')
  })
})

describe('notes', () => {
  it('/note saves a note by the user; /notes finds it', async () => {
    const word = `quokka${Math.random().toString(36).slice(2, 8)}`
    const out = await run(member, `/note Dana prefers ${word} calls after 10\nand never on Fridays`)
    expect(out.text).toMatch(/^Noted: “Dana prefers quokka\w+ calls after 10”\. Undo: /)
    const { rows } = await h.app.db.query('SELECT author, content FROM notes WHERE title = $1', [`Dana prefers ${word} calls after 10`])
    expect(rows[0]).toEqual({ author: 'user', content: `Dana prefers ${word} calls after 10\nand never on Fridays` })
    expect((await run(member, `/notes ${word}`)).text).toContain(`**Dana prefers ${word} calls after 10** (reference)`)
    expect((await run(member, '/notes')).text).toContain(word)
    expect((await run(owner, `/notes ${word}`)).text).toBe(`No notes match “${word}”.`)
  })
})

describe('approvals', () => {
  it('/approvals lists what waits; /approve, /reject and /undo take an id prefix', async () => {
    const u = await h.standIn.user('member')
    const file = async (title: string) => await h.tools.call(h.turn(u, { tainted: true }), { name: 'task_create', arguments: { title } })
    const a = await file(unique('Approve me'))
    const b = await file(unique('Reject me'))
    const list = await run(u, '/approvals')
    const ids = [...list.text.matchAll(/`([0-9a-f]{8,})`/g)].map((m) => m[1]!)
    expect(ids).toHaveLength(2)
    expect(a.actionId!.replace(/-/g, '').startsWith(ids[1]!)).toBe(true)
    expect(list.text).toContain('(from a conversation with outside content)')

    expect((await run(u, `/approve ${ids[1]!}`)).text).toMatch(/^Approved and done: create task “Approve me/)
    expect((await run(u, `/reject ${ids[0]!} not now`)).text).toMatch(/^Rejected: create task “Reject me/)
    const { rows } = await h.app.db.query('SELECT id, status FROM actions WHERE id = ANY($1::uuid[]) ORDER BY id', [[a.actionId, b.actionId]])
    expect(rows.map((r: { status: string }) => r.status)).toEqual(['done', 'rejected'])
    expect((await run(u, '/approvals')).text).toBe('Nothing is waiting for your approval.')
    expect((await run(u, `/undo ${ids[1]!}`)).text).toMatch(/^Undone: create task/)
    expect(await run(u, `/undo ${ids[1]!}`)).toMatchObject({ code: 'CHAT_TOO_LATE_TO_UNDO' })
    expect(await run(u, `/approve ${ids[0]!}`)).toMatchObject({ code: 'CHAT_ACTION_NOT_PENDING' })
  })

  it('a prefix that names nothing, or several actions, says so; someone else\'s action is nobody\'s', async () => {
    const u = await h.standIn.user('member')
    const one = await h.tools.call(h.turn(u, { tainted: true }), { name: 'task_create', arguments: { title: unique('Mine') } })
    await h.tools.call(h.turn(u, { tainted: true }), { name: 'task_create', arguments: { title: unique('Mine too') } })
    expect(await run(u, '/approve ffffff')).toMatchObject({ code: 'CHAT_NOT_FOUND' })
    expect(await run(u, `/approve ${one.actionId!.slice(0, 6)}`)).toMatchObject({ code: 'CHAT_VALIDATION_FAILED' })
    expect(await run(member, `/approve ${one.actionId!}`)).toMatchObject({ code: 'CHAT_NOT_FOUND' })
  })
})

describe('/status, /personality, /killswitch', () => {
  it('/status with no coordinator: no model connected, killswitch off', async () => {
    const out = await run(member, '/status')
    expect(out.text).toContain('no language model is connected')
    expect(out.text).toContain('**Killswitch:** off')
  })

  it('/status with a mesh: nodes, models and queue', async () => {
    h.standIn.state.mesh = { nodes: [{ id: 'n1', name: 'gpu-1', status: 'healthy' }, { id: 'n2', name: 'gpu-2', status: 'offline' }], queue: { depth: 3, byClass: { interactive: 1, batch: 2 } }, models: [{ name: 'llama3' }], totals: { nodes: 2, healthy: 1 } }
    try {
      const out = await run(owner, '/status')
      expect(out.text.split('\n')).toEqual([
        '**Model:** connected, 1 of 2 nodes healthy; models: llama3',
        '**Nodes:** gpu-1 (healthy), gpu-2 (offline)',
        '**Queue:** 3 waiting (interactive 1, batch 2)',
        '**Killswitch:** off'
      ])
    } finally {
      h.standIn.state.mesh = null
    }
  })

  it('/personality shows, sets a preset or sliders, and refuses an unknown preset', async () => {
    const u = await h.standIn.user('member')
    expect((await run(u, '/personality')).text).toMatch(/^Personality: gandhi 5 · flirty 3 · turbo 5 · auto 3 \(preset balanced, mood friendly\)\nPresets: balanced, chief-of-staff/)
    expect((await run(u, '/personality coach')).text).toBe('Personality set: gandhi 7 · flirty 7 · turbo 3 · auto 3 (preset coach, mood playful)')
    expect((await run(u, '/personality auto=8 turbo=9')).text).toBe('Personality set: gandhi 7 · flirty 7 · turbo 9 · auto 8 (mood playful)')
    expect((await h.personality.get(u.id)).auto).toBe(8)
    expect(await run(u, '/personality grumpy')).toMatchObject({ code: 'CHAT_UNKNOWN_PRESET' })
  })

  it('/killswitch on|off is the owner\'s and admins\', through auth with the user\'s delegated token', async () => {
    const admin = await h.standIn.user('admin')
    const on = await run(admin, '/killswitch on odd emails')
    expect(on.text).toMatch(/^Killswitch is ON: .* Reason: odd emails$/)
    const call = h.standIn.calls.filter((c) => c.path === '/api/auth/killswitch').at(-1)!
    expect(call.body).toEqual({ active: true, reason: 'odd emails' })
    const claims = JSON.parse(Buffer.from(call.authorization.split('.')[1]!, 'base64url').toString()) as { sub: string, act: { sub: string } }
    expect(claims).toMatchObject({ sub: admin.id, act: { sub: 'svc:chat' } })
    expect((await run(member, '/status')).text).toContain('**Killswitch:** ON (odd emails)')
    expect((await run(owner, '/killswitch off')).text).toMatch(/^Killswitch released/)
    expect((await run(member, '/status')).text).toContain('**Killswitch:** off')
    const calls = h.standIn.calls.length
    expect(await run(member, '/killswitch on')).toMatchObject({ code: 'CHAT_FORBIDDEN' })
    expect(h.standIn.calls.length).toBe(calls)
  })
})
