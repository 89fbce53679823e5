// The rules of notes.access.ts, one row each: who may edit and delete which note.
import { describe, expect, it } from 'vitest'
import { refusal, type NoteActor } from './notes.access.js'
import { decodeCursor, encodeCursor } from './notes.cursor.js'
import { anyWordQuery } from './notes.service.js'

const ME = '01900000-0000-7000-8000-000000000001'
const YOU = '01900000-0000-7000-8000-000000000002'
const note = (o: Partial<{ userId: string, visibility: 'private' | 'company', author: 'user' | 'robbie', locked: boolean }> = {}) =>
  ({ userId: ME, visibility: 'private' as const, author: 'user' as const, locked: false, ...o })
const as = (by: 'user' | 'robbie', role: NoteActor['role'] = 'member'): NoteActor => ({ userId: ME, role, by })
const code = (e: ReturnType<typeof refusal>) => e?.code ?? 'allowed'

describe('refusal', () => {
  it.each([
    ['own note, edit', as('user'), note(), 'edit', 'allowed'],
    ['own locked note, edit', as('user'), note({ locked: true }), 'edit', 'allowed'],
    ['own locked note, delete', as('user'), note({ locked: true }), 'delete', 'CHAT_NOTE_LOCKED'],
    ["member, another's company note", as('user'), note({ userId: YOU, visibility: 'company' }), 'edit', 'CHAT_FORBIDDEN'],
    ["admin, another's company note", as('user', 'admin'), note({ userId: YOU, visibility: 'company' }), 'delete', 'allowed'],
    ["owner, another's locked company note, delete", as('user', 'owner'), note({ userId: YOU, visibility: 'company', locked: true }), 'delete', 'CHAT_NOTE_LOCKED'],
    ["owner, another's private note (never reached: 404 first)", as('user', 'owner'), note({ userId: YOU }), 'edit', 'CHAT_FORBIDDEN'],
    ['Robbie, its own note', as('robbie'), note({ author: 'robbie' }), 'delete', 'allowed'],
    ['Robbie, its own locked note', as('robbie'), note({ author: 'robbie', locked: true }), 'edit', 'CHAT_NOTE_LOCKED'],
    ["Robbie, the user's note", as('robbie'), note(), 'edit', 'CHAT_FORBIDDEN'],
    ['Robbie, a company note of someone else', as('robbie', 'owner'), note({ userId: YOU, visibility: 'company', author: 'robbie' }), 'edit', 'CHAT_FORBIDDEN']
  ] as const)('%s → %s', (_name, actor, n, op, expected) => {
    expect(code(refusal(actor, n, op))).toBe(expected)
  })

  it('never lets Robbie lock or unlock', () => {
    expect(code(refusal(as('robbie'), note({ author: 'robbie' }), 'edit', true))).toBe('CHAT_FORBIDDEN')
    expect(code(refusal(as('user'), note(), 'edit', true))).toBe('allowed')
  })
})

describe('cursor and word query', () => {
  it('round-trips both cursor kinds and refuses the wrong one', () => {
    expect(decodeCursor(encodeCursor({ id: ME }), false)).toEqual({ beforeId: ME })
    expect(decodeCursor(encodeCursor({ o: 50 }), true)).toEqual({ offset: 50 })
    expect(() => decodeCursor(encodeCursor({ o: 50 }), false)).toThrow(expect.objectContaining({ code: 'CHAT_VALIDATION_FAILED' }))
    expect(() => decodeCursor('%%%', true)).toThrow(expect.objectContaining({ code: 'CHAT_VALIDATION_FAILED' }))
    expect(() => decodeCursor(encodeCursor({ o: 1e9 }), true)).toThrow(expect.objectContaining({ code: 'CHAT_VALIDATION_FAILED' }))
  })

  it('turns a message into an OR of its words, operators and all stripped', () => {
    expect(anyWordQuery("What's Acme's renewal date? (Q3 & !urgent) | 'x'")).toBe('what | acme | renewal | date | q3 | urgent')
    expect(anyWordQuery('Zürich café 東京')).toBe('zürich | café | 東京')
    expect(anyWordQuery('?! a')).toBeNull()
  })
})
