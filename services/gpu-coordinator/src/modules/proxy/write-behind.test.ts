import type { FastifyBaseLogger } from 'fastify'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { Decision } from './decisions.repository.js'
import type { UsageCharge } from './usage.repository.js'
import { createWriteBehind } from './write-behind.js'

const decision = (requestId: string, outcome = 'ok'): Decision => ({
  requestId, at: new Date(), model: 'm', class: 'normal', identity: 'u', candidates: [], chosen: null, nodeId: null, queueMs: 0, failovers: 0, outcome, ttftMs: null, tokensOut: null, durationMs: 1
})
const charge = (identity: string, seconds: number): UsageCharge => ({ identity, timeZone: 'UTC', seconds })

/** Repositories that record each statement; a write can be held open, and a row refused as Postgres would. */
function fakeRepos () {
  const statements: Array<{ kind: 'decisions' | 'usage', rows: string[] }> = []
  let hold: Promise<void> | null = null
  const checkViolation = Object.assign(new Error('new row violates check constraint'), { code: '23514' })
  return {
    statements,
    holdWrites () { let release!: () => void; hold = new Promise((resolve) => { release = resolve }); return () => { hold = null; release() } },
    decisions: {
      async insertMany (ds: Decision[]) {
        statements.push({ kind: 'decisions' as const, rows: ds.map((d) => d.requestId) })
        await hold
        if (ds.some((d) => d.outcome === 'Bad-Outcome')) throw checkViolation
      }
    },
    usage: {
      async addMany (cs: UsageCharge[]) {
        statements.push({ kind: 'usage' as const, rows: cs.map((c) => `${c.identity}:${c.seconds}`) })
        await hold
      }
    }
  }
}

const LINGER = 50

function setup () {
  const repos = fakeRepos()
  // only warn is called; a logger that keeps the lines
  const warnings: Array<Record<string, unknown>> = []
  const log = { warn: (fields: Record<string, unknown>, msg: string) => { warnings.push({ ...fields, msg }) } }
  const writes = createWriteBehind({ ...repos, log: log as unknown as FastifyBaseLogger, lingerMs: LINGER })
  return { repos, warnings, writes }
}

describe('createWriteBehind', () => {
  beforeEach(() => { vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] }) })
  afterEach(() => { vi.useRealTimers() })

  it('writes nothing while the call ends; after the linger, the rows that came meanwhile in one statement each', async () => {
    const { repos, writes } = setup()
    writes.decision(decision('r1'))
    writes.charge(charge('u1', 1.5))
    writes.charge(null) // an unlimited identity's call that charges nothing
    await vi.advanceTimersByTimeAsync(LINGER - 1)
    writes.decision(decision('r2'))
    writes.charge(charge('u1', 2))
    expect(repos.statements).toEqual([])
    await vi.advanceTimersByTimeAsync(1)
    expect(repos.statements).toEqual([{ kind: 'decisions', rows: ['r1', 'r2'] }, { kind: 'usage', rows: ['u1:1.5', 'u1:2'] }])
  })

  it('sends a full batch at once, and what came during a write in the next batch after the linger', async () => {
    const { repos, writes } = setup()
    const release = repos.holdWrites()
    for (let i = 0; i < 500; i++) writes.decision(decision(`r${i}`))
    expect(repos.statements.map((s) => s.rows.length)).toEqual([500]) // no linger for a full batch
    writes.decision(decision('late-1'))
    writes.decision(decision('late-2'))
    await vi.advanceTimersByTimeAsync(LINGER * 3)
    expect(repos.statements).toHaveLength(1) // still in flight
    release()
    await vi.advanceTimersByTimeAsync(0)
    expect(repos.statements).toHaveLength(1) // the next batch lingers first
    await vi.advanceTimersByTimeAsync(LINGER)
    expect(repos.statements.map((s) => s.rows)).toEqual([expect.any(Array), ['late-1', 'late-2']])
  })

  it('retries a batch refused for its data row by row: only the bad row is lost, and logged', async () => {
    const { repos, warnings, writes } = setup()
    writes.decision(decision('r1'))
    writes.decision(decision('r2', 'Bad-Outcome'))
    writes.decision(decision('r3'))
    await vi.advanceTimersByTimeAsync(LINGER)
    expect(repos.statements.map((s) => s.rows)).toEqual([['r1', 'r2', 'r3'], ['r1'], ['r2'], ['r3']])
    expect(warnings).toMatchObject([{ msg: 'background write failed', what: 'decision', rows: 1 }])
  })

  it('drain writes what is still waiting without the linger, and nothing twice', async () => {
    const { repos, writes } = setup()
    writes.decision(decision('r1'))
    writes.charge(charge('u2', 3))
    await writes.drain()
    expect(repos.statements).toEqual([{ kind: 'decisions', rows: ['r1'] }, { kind: 'usage', rows: ['u2:3'] }])
    await vi.advanceTimersByTimeAsync(LINGER * 2)
    expect(repos.statements).toHaveLength(2)
  })
})
