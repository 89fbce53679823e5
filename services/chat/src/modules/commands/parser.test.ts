import { describe, expect, it } from 'vitest'
import { COMMANDS, isCommand, parseCommand } from './parser.js'

const cmd = (text: string) => {
  const p = parseCommand(text)
  if (!p.ok) throw new Error(`not parsed: ${text}`)
  return p.command
}
const usage = (text: string) => {
  const p = parseCommand(text)
  return !p.ok && p.error === 'usage' ? p.usage : null
}

describe('parseCommand', () => {
  it('recognises a command by its leading slash', () => {
    expect(isCommand('/help')).toBe(true)
    expect(isCommand('  /tasks')).toBe(true)
    expect(isCommand('what is /help?')).toBe(false)
  })

  it('an unknown command names itself', () => {
    expect(parseCommand('/frobnicate now')).toEqual({ ok: false, error: 'unknown', name: 'frobnicate' })
    expect(parseCommand('/')).toEqual({ ok: false, error: 'unknown', name: '' })
    expect(parseCommand('/brief')).toMatchObject({ ok: false, error: 'unknown' }) // later: integrations
  })

  it('/help, /approvals, /status take no arguments', () => {
    expect(cmd('/help')).toEqual({ name: 'help' })
    expect(cmd('/STATUS')).toEqual({ name: 'status' })
    expect(usage('/approvals please')).toBe('/approvals')
  })

  it('/priorities [n] is 1–20, default 5', () => {
    expect(cmd('/priorities')).toEqual({ name: 'priorities', n: 5 })
    expect(cmd('/priorities 20')).toEqual({ name: 'priorities', n: 20 })
    for (const bad of ['/priorities 0', '/priorities 21', '/priorities x', '/priorities 2 3', '/priorities 1.5']) expect(usage(bad)).toBe('/priorities [n]')
  })

  it('/tasks [mine|all], mine by default', () => {
    expect(cmd('/tasks')).toEqual({ name: 'tasks', scope: 'mine' })
    expect(cmd('/tasks all')).toEqual({ name: 'tasks', scope: 'all' })
    expect(usage('/tasks everyone')).toBe('/tasks [mine|all]')
  })

  it('/task add takes a title with priority, due and assignee anywhere after it', () => {
    expect(cmd('/task add Send the board deck !high due:fri @dana')).toEqual({
      name: 'task add', title: 'Send the board deck', priority: 'high', due: { kind: 'weekday', weekday: 5 }, assignee: 'dana'
    })
    expect(cmd('/task add !low Water plants due:+2d')).toEqual({ name: 'task add', title: 'Water plants', priority: 'low', due: { kind: 'plus', days: 2 } })
    expect(cmd('/task add Call Dana about renewal')).toEqual({ name: 'task add', title: 'Call Dana about renewal' })
  })

  it('/task add refuses what it cannot read', () => {
    const line = COMMANDS.find((c) => c.name === 'task')!.usage
    for (const bad of ['/task add', '/task add !high', '/task add x !urgent', '/task add x !high !low', '/task add x due:someday',
      '/task add x due:fri due:mon', '/task add x @a @b', '/task', '/task remove 3', `/task add ${'x'.repeat(301)}`]) {
      expect(usage(bad)).toBe(line)
    }
  })

  it('/task done #n', () => {
    expect(cmd('/task done #42')).toEqual({ name: 'task done', number: 42 })
    expect(cmd('/task done 7')).toEqual({ name: 'task done', number: 7 })
    expect(usage('/task done')).not.toBeNull()
    expect(usage('/task done #x')).not.toBeNull()
  })

  it('/note and /notes', () => {
    expect(cmd('/note Dana prefers calls\nafter 10')).toEqual({ name: 'note', text: 'Dana prefers calls\nafter 10' })
    expect(usage('/note')).toBe('/note <text>')
    expect(cmd('/notes')).toEqual({ name: 'notes' })
    expect(cmd('/notes dana calls')).toEqual({ name: 'notes', query: 'dana calls' })
  })

  it('/approve, /reject, /undo take an id prefix of at least 6 characters', () => {
    expect(cmd('/approve 0199ab12')).toEqual({ name: 'approve', id: '0199ab12' })
    expect(cmd('/undo 0199ab12-3456')).toEqual({ name: 'undo', id: '0199ab12-3456' })
    expect(cmd('/reject 0199ab12 not now, thanks')).toEqual({ name: 'reject', id: '0199ab12', reason: 'not now, thanks' })
    expect(usage('/approve 0199a')).toBe('/approve <id>')
    expect(usage('/approve xyz123')).toBe('/approve <id>')
    expect(usage('/undo')).toBe('/undo <id>')
    expect(usage('/reject')).toBe('/reject <id> [reason]')
  })

  it('/personality shows, takes a preset or slider values', () => {
    expect(cmd('/personality')).toEqual({ name: 'personality' })
    expect(cmd('/personality Coach')).toEqual({ name: 'personality', preset: 'coach' })
    expect(cmd('/personality gandhi=8 auto=6')).toEqual({ name: 'personality', sliders: { gandhi: 8, auto: 6 } })
    for (const bad of ['/personality gandhi=11', '/personality gandhi=0', '/personality mood=3', '/personality gandhi=2 gandhi=3', '/personality a b']) {
      expect(usage(bad)).toBe('/personality [preset | gandhi=N flirty=N turbo=N auto=N]')
    }
  })

  it('/killswitch on [reason] | off', () => {
    expect(cmd('/killswitch on')).toEqual({ name: 'killswitch', on: true })
    expect(cmd('/killswitch on suspicious emails going out')).toEqual({ name: 'killswitch', on: true, reason: 'suspicious emails going out' })
    expect(cmd('/killswitch off')).toEqual({ name: 'killswitch', on: false })
    expect(usage('/killswitch')).toBe('/killswitch on [reason] | off')
    expect(usage('/killswitch off now')).toBe('/killswitch on [reason] | off')
  })

  it('lists every command with a usage and a description', () => {
    expect(COMMANDS.map((c) => c.name)).toEqual(['help', 'priorities', 'tasks', 'task', 'note', 'notes', 'approvals', 'approve', 'reject', 'undo', 'status', 'personality', 'killswitch'])
    for (const c of COMMANDS) expect(c.usage.startsWith(`/${c.name}`)).toBe(true)
  })
})
