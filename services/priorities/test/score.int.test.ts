// POST /api/priorities/score through the real app (SPEC §4.4): every worked example gives SPEC's numbers
// and the same reasons as the engine, any signed-in role may call it, and it validates its body.
import { describe, expect, it } from 'vitest'
import { loadConfig } from '@robbie/service-kit'
import { buildTestApp, mintAccessToken, testContext } from '@robbie/testing'
import { createApp } from '../src/app.js'
import { configSchema } from '../src/config.js'
import { scoreItem, toScoreReply } from '../src/modules/scoring/index.js'
import { EXPECTED, VECTOR_NOW, VECTORS } from '../src/modules/scoring/vectors.js'

const ctx = await testContext('priorities', { ROBBIE_RATE_LIMIT_MULTIPLIER: '1000' })
const app = await buildTestApp(async () => await createApp(loadConfig(configSchema, ctx.env)))
const bearer = async (role: 'owner' | 'admin' | 'member', sub?: string) => ({ authorization: `Bearer ${await mintAccessToken({ role, ...(sub ? { sub } : {}) })}` })
const owner = await bearer('owner')
const score = async (payload: object, headers: Record<string, string> = owner) =>
  await app.inject({ method: 'POST', url: '/api/priorities/score', headers, payload })
const codeOf = (res: { statusCode: number, json: () => { error?: { code: string } } }) => [res.statusCode, res.json().error?.code]

describe('POST /api/priorities/score', () => {
  it.each(Object.keys(VECTORS) as Array<keyof typeof VECTORS>)('%s gives SPEC’s numbers and the engine’s reasons', async (v) => {
    const res = await score({ ...VECTORS[v], now: VECTOR_NOW.toISOString() })
    expect(res.statusCode).toBe(200)
    const want = EXPECTED[v]
    expect(res.json()).toMatchObject({ importance: want.importance, urgency: want.urgency, quadrant: want.quadrant, score: want.score, domain: want.domain })
    expect(res.json()).toEqual(toScoreReply(scoreItem(VECTORS[v], { now: VECTOR_NOW })))
  })

  it('answers V1 and V2 with SPEC’s why lines, V3 with its effort', async () => {
    const now = VECTOR_NOW.toISOString()
    expect((await score({ ...VECTORS.V1, now })).json().why).toBe('Closes in 30 h · $60k expected revenue · strategic deal')
    expect((await score({ ...VECTORS.V2, now })).json().why).toBe('Due in 3 h · from Dana Reyes (score 90) · says “urgent”')
    expect((await score({ ...VECTORS.V3, now })).json()).toMatchObject({ effort: 44, score: 88, label: 'Do now' })
  })

  it('a member and an admin may call it; nobody without a credential', async () => {
    for (const role of ['member', 'admin'] as const) {
      const res = await score({ ...VECTORS.V4, now: VECTOR_NOW.toISOString() }, await bearer(role))
      expect([role, res.statusCode, res.json().score]).toEqual([role, 200, 36.4])
    }
    expect(codeOf(await app.inject({ method: 'POST', url: '/api/priorities/score', payload: VECTORS.V4 }))).toEqual([401, 'PRIORITIES_UNAUTHENTICATED'])
  })

  it('uses the server clock without `now`, and refuses unknown fields and unbounded input with 400', async () => {
    const res = await score({ kind: 'deal', amount: 120000, probability: 50, deadline: new Date(Date.now() + 30.5 * 3_600_000).toISOString() })
    expect(res.json()).toMatchObject({ urgency: 25, score: 23 })
    expect(codeOf(await score({ ...VECTORS.V4, extra: 1 }))).toEqual([400, 'PRIORITIES_VALIDATION_FAILED'])
    expect(codeOf(await score({ kind: 'task', title: 'x'.repeat(301) }))).toEqual([400, 'PRIORITIES_VALIDATION_FAILED'])
    expect(codeOf(await score({ kind: 'task', importanceOverride: 101 }))).toEqual([400, 'PRIORITIES_VALIDATION_FAILED'])
    expect(codeOf(await score({ kind: 'email', now: 'yesterday' }))).toEqual([400, 'PRIORITIES_VALIDATION_FAILED'])
    expect(codeOf(await score({ title: 'no kind' }))).toEqual([400, 'PRIORITIES_VALIDATION_FAILED'])
  })

  it('uses the caller’s people rows (owner and admin only: members may not read people) and the body wins', async () => {
    const put = await app.inject({ method: 'PUT', url: '/api/priorities/people/dana.reyes@example.com', headers: owner, payload: { name: 'Dana Reyes', tier: 'unknown', score: 90, responseHours: 48 } })
    expect([200, 201]).toContain(put.statusCode)
    const { senderName: _n, senderScore: _s, senderTier: _t, expectedResponseHours: _h, ...bare } = VECTORS.V2
    const now = VECTOR_NOW.toISOString()
    expect((await score({ ...bare, now })).json()).toMatchObject({ importance: 27, urgency: 65, score: 16.9, why: 'Due in 3 h · from Dana Reyes (score 90) · says “urgent”' })
    expect((await score({ ...bare, now, senderScore: 10 })).json().importance).toBe(3)
    const asMember = (await score({ ...bare, now }, await bearer('member'))).json()
    expect([asMember.importance, asMember.why]).toEqual([0, 'Due in 3 h · says “urgent” · awaiting your reply'])
  })

  it('scores with the caller’s strategic focus (SPEC §4.4): V4 at gandhi 9 → 46.8, V2 at 2 → 25.3', async () => {
    const focused = async (userId: string, gandhi: number) => {
      await app.db.query('INSERT INTO user_focus (user_id, gandhi, version, updated_at) VALUES ($1, $2, 1, now())', [userId, gandhi])
      return await bearer('owner', userId)
    }
    const high = await focused('0190a0a0-0000-7000-8000-0000000000a9', 9)
    const low = await focused('0190a0a0-0000-7000-8000-0000000000a2', 2)
    const now = VECTOR_NOW.toISOString()
    expect((await score({ ...VECTORS.V4, now }, high)).json()).toMatchObject({ score: 46.8, quadrant: 'Q2' })
    expect((await score({ ...VECTORS.V2, now }, low)).json()).toMatchObject({ score: 25.3, quadrant: 'Q3' })
    expect((await score({ ...VECTORS.V4, now }, low)).json().score).toBe(36.4)
    expect((await score({ ...VECTORS.V2, now }, high)).json().score).toBe(16.9)
  })
})
