import { describe, expect, it } from 'vitest'
import { checkArgs, splitMeta } from './validate.js'

describe('splitMeta', () => {
  it('takes confidence (missing → 0) and origin (missing → initiative) off the arguments', () => {
    expect(splitMeta({ title: 'x' })).toEqual({ ok: true, value: { meta: { confidence: 0, origin: 'initiative' }, args: { title: 'x' } } })
    expect(splitMeta({ title: 'x', confidence: 0.8, origin: 'direct' })).toEqual({ ok: true, value: { meta: { confidence: 0.8, origin: 'direct' }, args: { title: 'x' } } })
    expect(splitMeta({ confidence: '0.5', origin: null })).toMatchObject({ ok: true, value: { meta: { confidence: 0.5, origin: 'initiative' } } })
  })

  it.each([[{ confidence: 1.5 }], [{ confidence: -0.1 }], [{ confidence: 'sure' }], [{ confidence: true }], [{ origin: 'boss' }]])('refuses %j', (raw) => {
    expect(splitMeta(raw as Record<string, unknown>)).toMatchObject({ ok: false })
  })
})

describe('checkArgs', () => {
  it('converts scalar types, refuses unknown fields and reports each failing path', () => {
    expect(checkArgs('priorities_surface', { top: '7' })).toEqual({ ok: true, value: { top: 7 } })
    const bad = checkArgs('task_create', { title: '', colour: 'red' })
    expect(bad.ok).toBe(false)
    expect(!bad.ok && bad.details.map((d) => d.path)).toEqual(expect.arrayContaining(['arguments/title', 'arguments']))
  })

  it('reads a task number given as a number as #n, and needs a change besides the task', () => {
    expect(checkArgs('task_complete', { taskId: 12 })).toEqual({ ok: true, value: { taskId: '#12' } })
    expect(checkArgs('task_update', { taskId: '#12' }).ok).toBe(false)
    expect(checkArgs('task_update', { taskId: '#12', priority: 'high' }).ok).toBe(true)
    expect(checkArgs('task_update', { taskId: 'twelve', priority: 'high' }).ok).toBe(false)
  })

  it('checks email addresses and ISO times in drafts and proposals', () => {
    expect(checkArgs('email_draft', { to: ['not-an-email'], subject: 's', body: 'b' }).ok).toBe(false)
    expect(checkArgs('email_draft', { to: [], subject: 's', body: 'b' }).ok).toBe(false)
    expect(checkArgs('calendar_propose', { title: 't', start: 'tomorrow', end: '2030-01-01T10:00:00Z', attendees: [] }).ok).toBe(false)
  })
})
