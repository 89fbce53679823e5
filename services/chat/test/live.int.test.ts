// Live pushes (SPEC §3.9): hints on `<prefix>live` reach the sockets that subscribed to the topic and may see
// them (a user's own, or the company's), as numbered `live` frames; a killswitch change reaches every socket.
// And frames for all of a user's sockets: personality.update → personality.changed everywhere.
import { beforeAll, describe, expect, it } from 'vitest'
import { buildChatApp, open, user, type ChatTestApp, type Client } from './helper.js'

let t: ChatTestApp
beforeAll(async () => { t = await buildChatApp() })

const hint = async (payload: unknown) => await t.app.redis.client.publish(t.app.redis.keys.live, JSON.stringify(payload))
async function subscribed (token: string, topics: string[]): Promise<Client> {
  const { client } = await open(t, token)
  client.send({ type: 'subscribe', topics })
  // a ping answered means the subscribe before it was handled (frames are handled in order)
  client.send({ type: 'ping', nonce: 'sync' })
  await client.next((f) => f.type === 'pong')
  return client
}
const lives = (c: Client) => c.frames.filter((f) => f.type === 'live')

describe('live', () => {
  it('a user\'s hint reaches that user\'s subscribed sockets only; a company hint reaches every subscribed socket', async () => {
    const me = await user(t)
    const other = await user(t)
    const mine = await subscribed(me.token, ['priorities'])
    const theirs = await subscribed(other.token, ['priorities'])
    const deaf = await subscribed(other.token, ['notes'])
    await hint({ userId: me.id, type: 'surface.changed', version: 3 })
    expect(await mine.next((f) => f.type === 'live')).toMatchObject({ topic: 'priorities', event: 'surface.changed', data: { version: 3 }, seq: expect.any(Number) })
    await hint({ scope: 'company', type: 'surface.changed', version: 9 })
    await theirs.next((f) => f.type === 'live')
    await mine.next((f) => f.type === 'live' && f.data.version === 9)
    expect(lives(theirs).map((f) => f.data.version)).toEqual([9])
    await hint({ userIds: [other.id], topic: 'notes', event: 'note.created', data: { noteId: 'n1' } })
    expect(await deaf.next((f) => f.type === 'live')).toMatchObject({ topic: 'notes', event: 'note.created', data: { noteId: 'n1' } })
    expect(lives(deaf)).toHaveLength(1) // the priorities hints never reached it
    for (const c of [mine, theirs, deaf]) await c.close()
  })

  it('a killswitch change reaches every socket, subscribed or not', async () => {
    const me = await user(t)
    const { client } = await open(t, me.token)
    await hint({ type: 'killswitch.changed', data: { active: true, reason: 'drill' } })
    expect(await client.next((f) => f.type === 'live')).toMatchObject({ topic: 'killswitch', event: 'killswitch.changed', data: { active: true, reason: 'drill' } })
    await client.close()
  })
})

describe('personality over the socket', () => {
  it('personality.update changes the sliders and pushes personality.changed to all of the user\'s sockets', async () => {
    const me = await user(t)
    const { client: a } = await open(t, me.token)
    const { client: b } = await open(t, me.token)
    a.send({ type: 'personality.update', flirty: 9 })
    for (const c of [a, b]) {
      expect(await c.next((f) => f.type === 'personality.changed')).toMatchObject({ mood: 'blushing', personality: { flirty: 9 }, version: 2, seq: expect.any(Number) })
    }
    a.send({ type: 'personality.update', flirty: 11 })
    expect(await a.next((f) => f.type === 'error')).toMatchObject({ code: 'CHAT_VALIDATION_FAILED' })
    a.send({ type: 'personality.update', preset: 'nope' })
    expect(await a.next((f) => f.type === 'error' && f.code !== 'CHAT_VALIDATION_FAILED')).toMatchObject({ code: 'CHAT_UNKNOWN_PRESET' })
    for (const c of [a, b]) await c.close()
  })
})
