// SPEC §3.3 through the routes: defaults, changes by values and by preset (version, history, event, audit of
// `auto`, the push to sockets), validation that changes nothing, presets, preview with its diff and sample,
// and the sample's 6/min limit. Rate limits are the defaults here (multiplier 1), so each test has its own user.
import { beforeAll, describe, expect, it } from 'vitest'
import { payloadProblems } from '@robbie/contracts'
import { testContext } from '@robbie/testing'
import type { FastifyInstance } from 'fastify'
import type { PersonalityChangedFrame } from '../src/modules/personality/index.js'
import { createPersonalityApi } from '../src/modules/personality/index.js'
import { buildCb1App, codeOf, outboxEvents, user } from './cb1-helper.js'

let app: FastifyInstance
let bare: FastifyInstance
const pushed: Array<{ userId: string, frame: PersonalityChangedFrame }> = []
const sampled: Array<{ turbo: number, userId: string }> = []
beforeAll(async () => {
  const ctx = await testContext('chat', { ROBBIE_RATE_LIMIT_MULTIPLIER: '1' })
  ;({ app } = await buildCb1App({
    ctx,
    notify: (userId, frame) => { pushed.push({ userId, frame }) },
    sample: async (sliders, identity) => {
      sampled.push({ turbo: sliders.turbo, userId: identity.id })
      return `answer at turbo ${sliders.turbo}`
    }
  }))
  // the same database without an engine: no sample dependency
  ;({ app: bare } = await buildCb1App({ ctx }))
})
const url = '/api/chat/personality'
const history = async (userId: string) =>
  (await app.db.query('SELECT version, "values", preset, changed_by, via FROM personality_history WHERE user_id = $1 ORDER BY version', [userId])).rows
const auditRows = async (userId: string) =>
  (await app.db.query("SELECT actor_type, actor_id, action, details FROM audit_events WHERE resource_id = $1 AND action LIKE 'chat.personality.%' ORDER BY seq", [userId])).rows

describe('GET and PUT /personality', () => {
  it('gives a new user the balanced defaults, version 1', async () => {
    const u = await user()
    const res = await app.inject({ method: 'GET', url, headers: u.headers })
    expect(res.statusCode).toBe(200)
    expect(res.json()).toMatchObject({ gandhi: 5, flirty: 3, turbo: 5, auto: 3, preset: 'balanced', mood: 'friendly', version: 1 })
    expect(new Date(res.json().updatedAt).toISOString()).toBe(res.json().updatedAt)
    expect(await outboxEvents(app, 'chat.personality.updated.v1', u.id)).toEqual([])
  })

  it('changes sliders: version++, history, the event in the outbox, the push', async () => {
    const u = await user()
    const res = await app.inject({ method: 'PUT', url, headers: u.headers, payload: { gandhi: 9, turbo: 8 } })
    expect(res.statusCode).toBe(200)
    const body = res.json()
    expect(body).toMatchObject({ gandhi: 9, flirty: 3, turbo: 8, auto: 3, preset: null, mood: 'focused', version: 2 })
    expect((await app.inject({ method: 'GET', url, headers: u.headers })).json()).toEqual(body)

    const [event] = await outboxEvents(app, 'chat.personality.updated.v1', u.id)
    expect(event!.data).toEqual({ userId: u.id, values: { gandhi: 9, flirty: 3, turbo: 8, auto: 3 }, mood: 'focused', version: 2 })
    expect(payloadProblems('chat.personality.updated.v1', event!.data)).toEqual([])
    expect(event!.visibility).toBe('private')
    expect(event!.actor).toEqual({ type: 'user', id: u.id })

    expect(await history(u.id)).toEqual([{ version: 2, values: { gandhi: 9, flirty: 3, turbo: 8, auto: 3 }, preset: null, changed_by: u.id, via: 'rest' }])
    expect(pushed.filter((p) => p.userId === u.id).map((p) => p.frame)).toEqual([{ type: 'personality.changed', personality: body, mood: 'focused', version: 2 }])
    expect(await auditRows(u.id)).toEqual([]) // auto did not move
  })

  it('applies a preset, and recognises preset values set by hand', async () => {
    const u = await user()
    const res = await app.inject({ method: 'PUT', url, headers: u.headers, payload: { preset: 'firefighter' } })
    expect(res.json()).toMatchObject({ gandhi: 2, flirty: 2, turbo: 9, auto: 4, preset: 'firefighter', mood: 'bossy', version: 2 })
    const byHand = await app.inject({ method: 'PUT', url, headers: u.headers, payload: { gandhi: 7, flirty: 7, turbo: 3, auto: 3 } })
    expect(byHand.json()).toMatchObject({ preset: 'coach', mood: 'playful', version: 3 })
    expect((await outboxEvents(app, 'chat.personality.updated.v1', u.id)).map((e) => e.data.version)).toEqual([2, 3])
  })

  it('audits a change of auto (from, to), through the API and through a command', async () => {
    const u = await user()
    await app.inject({ method: 'PUT', url, headers: u.headers, payload: { auto: 9 } })
    await createPersonalityApi(app).set(u.id, { auto: 6 }, { userId: u.id, via: 'command' })
    expect(await auditRows(u.id)).toEqual([
      { actor_type: 'user', actor_id: u.id, action: 'chat.personality.auto_change', details: { from: 3, to: 9, via: 'rest' } },
      { actor_type: 'user', actor_id: u.id, action: 'chat.personality.auto_change', details: { from: 9, to: 6, via: 'command' } }
    ])
    expect((await history(u.id)).map((h) => h.via)).toEqual(['rest', 'command'])
  })

  it('a change to the same values makes no new version and no event', async () => {
    const u = await user()
    await app.inject({ method: 'PUT', url, headers: u.headers, payload: { flirty: 6 } })
    const again = await app.inject({ method: 'PUT', url, headers: u.headers, payload: { flirty: 6 } })
    expect(again.json()).toMatchObject({ flirty: 6, version: 2, mood: 'playful' })
    expect(await outboxEvents(app, 'chat.personality.updated.v1', u.id)).toHaveLength(1)
  })

  it('refuses bad input with coded 400s and changes nothing', async () => {
    const u = await user()
    const bad: Array<[unknown, string]> = [
      [{ gandhi: 0 }, 'CHAT_VALIDATION_FAILED'], [{ gandhi: 11 }, 'CHAT_VALIDATION_FAILED'], [{ turbo: 5.5 }, 'CHAT_VALIDATION_FAILED'],
      [{ flirty: 'warm' }, 'CHAT_VALIDATION_FAILED'], [{ mood: 'bossy' }, 'CHAT_VALIDATION_FAILED'], [{}, 'CHAT_VALIDATION_FAILED'],
      [{ preset: 'coach', gandhi: 3 }, 'CHAT_VALIDATION_FAILED'], [{ preset: 'yolo' }, 'CHAT_UNKNOWN_PRESET']
    ]
    for (const [payload, code] of bad) {
      const res = await app.inject({ method: 'PUT', url, headers: u.headers, payload: payload as object })
      expect([payload, ...codeOf(res)]).toEqual([payload, 400, code])
    }
    const refused = await app.inject({ method: 'PUT', url, headers: u.headers, payload: { gandhi: 11 } })
    expect(refused.json().error.details).toEqual([{ path: 'body/gandhi', rule: 'maximum' }])
    expect((await app.db.query('SELECT 1 FROM personality WHERE user_id = $1', [u.id])).rowCount).toBe(0) // not even the default row
    expect((await app.inject({ method: 'GET', url, headers: u.headers })).json()).toMatchObject({ gandhi: 5, version: 1 })
    expect(await outboxEvents(app, 'chat.personality.updated.v1', u.id)).toEqual([])
    expect(await history(u.id)).toEqual([])
  })

  it('validates changes that bypass the routes (WS frames, commands) the same way', async () => {
    const u = await user()
    const api = createPersonalityApi(app)
    await expect(api.set(u.id, { gandhi: 12 }, { userId: u.id, via: 'ws' })).rejects.toMatchObject({ code: 'CHAT_VALIDATION_FAILED', statusCode: 400 })
    await expect(api.set(u.id, { preset: 'nope' }, { userId: u.id, via: 'ws' })).rejects.toMatchObject({ code: 'CHAT_UNKNOWN_PRESET' })
    expect(await api.get(u.id)).toMatchObject({ gandhi: 5, version: 1 })
  })

  it('counts versions without gaps under concurrent changes', async () => {
    const u = await user()
    const results = await Promise.all([1, 2, 3, 4, 6].map((g) => app.inject({ method: 'PUT', url, headers: u.headers, payload: { gandhi: g } })))
    expect(results.map((r) => r.json().version).sort()).toEqual([2, 3, 4, 5, 6])
    expect((await history(u.id)).map((h) => h.version)).toEqual([2, 3, 4, 5, 6])
  })

  it('needs a credential', async () => {
    expect(codeOf(await app.inject({ method: 'GET', url }))).toEqual([401, 'CHAT_UNAUTHENTICATED'])
    expect(codeOf(await app.inject({ method: 'PUT', url, payload: { gandhi: 2 } }))).toEqual([401, 'CHAT_UNAUTHENTICATED'])
  })
})

describe('presets and preview', () => {
  it('lists the presets with their moods', async () => {
    const u = await user()
    const res = await app.inject({ method: 'GET', url: `${url}/presets`, headers: u.headers })
    expect(res.json()).toEqual({
      items: [
        { name: 'balanced', gandhi: 5, flirty: 3, turbo: 5, auto: 3, mood: 'friendly' },
        { name: 'chief-of-staff', gandhi: 8, flirty: 4, turbo: 6, auto: 6, mood: 'friendly' },
        { name: 'firefighter', gandhi: 2, flirty: 2, turbo: 9, auto: 4, mood: 'bossy' },
        { name: 'coach', gandhi: 7, flirty: 7, turbo: 3, auto: 3, mood: 'playful' },
        { name: 'autopilot', gandhi: 6, flirty: 4, turbo: 8, auto: 9, mood: 'focused' }
      ],
      nextCursor: null
    })
  })

  it('compiles one setting without saving it', async () => {
    const u = await user()
    const res = await app.inject({ method: 'POST', url: `${url}/preview`, headers: u.headers, payload: { sliders: { gandhi: 2, flirty: 2, turbo: 9, auto: 4 } } })
    expect(res.statusCode).toBe(200)
    expect(res.json()).toEqual({
      a: {
        systemPrompt: [
          'Urgent mode: handle what is time-critical first; give the fastest workable answer; speed beats polish.',
          'Formal: strictly professional wording, no small talk, no emoji.',
          'Turbo: fewest possible words, no greeting or recap, bullets over prose.',
          'Suggestive: propose concrete next steps and ask yes/no.'
        ].join('\n'),
        fragments: [
          { slider: 'gandhi', band: 'low', text: 'Urgent mode: handle what is time-critical first; give the fastest workable answer; speed beats polish.' },
          { slider: 'flirty', band: 'low', text: 'Formal: strictly professional wording, no small talk, no emoji.' },
          { slider: 'turbo', band: 'high', text: 'Turbo: fewest possible words, no greeting or recap, bullets over prose.' },
          { slider: 'auto', band: 'middle', text: 'Suggestive: propose concrete next steps and ask yes/no.' }
        ],
        mood: 'bossy',
        numPredict: 384,
        autonomyThreshold: null,
        fragmentsVersion: 1
      }
    })
    expect((await app.inject({ method: 'GET', url, headers: u.headers })).json()).toMatchObject({ gandhi: 5, version: 1 })
  })

  it('compares two settings with a line diff', async () => {
    const u = await user()
    const res = await app.inject({
      method: 'POST',
      url: `${url}/preview`,
      headers: u.headers,
      payload: { sliders: { gandhi: 5, flirty: 3, turbo: 5, auto: 3 }, compareWith: { gandhi: 5, flirty: 3, turbo: 9, auto: 10 } }
    })
    const body = res.json()
    expect(body.b).toMatchObject({ numPredict: 384, autonomyThreshold: 0.5, mood: 'focused' })
    expect(body.diff).toEqual([
      { op: ' ', line: 'Balanced: weigh urgency against importance; say when something important is being crowded out; look two or three steps ahead.' },
      { op: ' ', line: 'Formal: strictly professional wording, no small talk, no emoji.' },
      { op: '-', line: 'Concise: answer first, then only the context needed to act.' },
      { op: '-', line: 'Consultative: never act without asking; offer options.' },
      { op: '+', line: 'Turbo: fewest possible words, no greeting or recap, bullets over prose.' },
      { op: '+', line: 'Autonomous: take initiative within your permissions, report what you did and how to undo it.' }
    ])
    expect('sample' in body).toBe(false)
  })

  it('samples both settings when the engine can, and answers null without one', async () => {
    const u = await user()
    const payload = { sliders: { gandhi: 5, flirty: 3, turbo: 2, auto: 3 }, compareWith: { gandhi: 5, flirty: 3, turbo: 9, auto: 3 }, sample: true }
    const res = await app.inject({ method: 'POST', url: `${url}/preview`, headers: u.headers, payload })
    expect(res.json().sample).toEqual({ a: 'answer at turbo 2', b: 'answer at turbo 9' })
    expect(sampled.filter((s) => s.userId === u.id).map((s) => s.turbo)).toEqual([2, 9])
    const one = await app.inject({ method: 'POST', url: `${url}/preview`, headers: u.headers, payload: { sliders: payload.sliders, sample: true } })
    expect(one.json().sample).toEqual({ a: 'answer at turbo 2', b: null })

    const none = await bare.inject({ method: 'POST', url: `${url}/preview`, headers: u.headers, payload })
    expect(none.statusCode).toBe(200)
    expect(none.json().sample).toBeNull()
    expect(none.json().diff.map((d: { op: string }) => d.op)).toEqual([' ', ' ', '-', '+', ' '])
  })

  it('limits samples to 6 a minute per user; plain previews go on', async () => {
    const u = await user()
    const payload = { sliders: { gandhi: 5, flirty: 3, turbo: 5, auto: 3 }, sample: true }
    const codes: number[] = []
    for (let i = 0; i < 7; i++) codes.push((await bare.inject({ method: 'POST', url: `${url}/preview`, headers: u.headers, payload })).statusCode)
    expect(codes).toEqual([200, 200, 200, 200, 200, 200, 429])
    const limited = await bare.inject({ method: 'POST', url: `${url}/preview`, headers: u.headers, payload })
    expect(codeOf(limited)).toEqual([429, 'CHAT_RATE_LIMITED'])
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0)
    const plain = await bare.inject({ method: 'POST', url: `${url}/preview`, headers: u.headers, payload: { sliders: payload.sliders } })
    expect(plain.statusCode).toBe(200)
  })

  it('refuses bad sliders in a preview', async () => {
    const u = await user()
    const res = await app.inject({ method: 'POST', url: `${url}/preview`, headers: u.headers, payload: { sliders: { gandhi: 5, flirty: 3, turbo: 11, auto: 3 } } })
    expect(codeOf(res)).toEqual([400, 'CHAT_VALIDATION_FAILED'])
    const missing = await app.inject({ method: 'POST', url: `${url}/preview`, headers: u.headers, payload: { sliders: { gandhi: 5 } } })
    expect(codeOf(missing)).toEqual([400, 'CHAT_VALIDATION_FAILED'])
  })
})
