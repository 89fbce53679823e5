// Where server frames live in Redis (SPEC §3.1), so that any replica can produce them and any replica can
// deliver them:
//   session  <p>chat:s:<sid>     hash {u: userId, seq}; <sid>:f the last 1 000 frames (10 min); <sid>:c channel
//   message  <p>chat:m:<mid>:f   every frame of one assistant message (kept 10 min after chat.done); :c channel
// One Lua call numbers a frame in its session, keeps it and publishes it, so the buffer and the channel see the
// same order. Message channels carry `<position>|<frame>` so that a follower can drop what it already replayed.
import type { BusRedis } from '@robbie/bus'
import type { Channels } from '../live/channels.js'

export type ServerFrame = { type: string } & Record<string, unknown>

const SESSION_SEND = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local seq = redis.call('HINCRBY', KEYS[1], 'seq', 1)
local f = '{"seq":' .. seq .. ',' .. string.sub(ARGV[1], 2)
redis.call('RPUSH', KEYS[2], f)
redis.call('LTRIM', KEYS[2], -tonumber(ARGV[3]), -1)
redis.call('PEXPIRE', KEYS[2], ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
redis.call('PUBLISH', KEYS[3], f)
return seq`

const MESSAGE_EMIT = `
local pos = redis.call('RPUSH', KEYS[1], ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
redis.call('PUBLISH', KEYS[2], pos .. '|' .. ARGV[1])
if ARGV[5] == '1' and redis.call('EXISTS', KEYS[3]) == 1 then
  local seq = redis.call('HINCRBY', KEYS[3], 'seq', 1)
  local f = '{"seq":' .. seq .. ',' .. string.sub(ARGV[1], 2)
  redis.call('RPUSH', KEYS[4], f)
  redis.call('LTRIM', KEYS[4], -tonumber(ARGV[4]), -1)
  redis.call('PEXPIRE', KEYS[4], ARGV[3])
  redis.call('PEXPIRE', KEYS[3], ARGV[3])
  redis.call('PUBLISH', KEYS[5], f)
end
return pos`

type Scripted = { chatSessionSend: (...args: string[]) => Promise<number>, chatMessageEmit: (...args: string[]) => Promise<number> }

export const seqOf = (raw: string): number => Number(/^\{"seq":(\d+),/.exec(raw)?.[1] ?? 0)

export function createFrameBus (opts: { redis: BusRedis, channels: Channels, resumeMs: number, streamingMs?: number, maxFrames?: number }) {
  const p = `${opts.redis.prefix}chat:`
  const client = opts.redis.client
  const streamingMs = String(opts.streamingMs ?? 3_600_000)
  const resumeMs = String(opts.resumeMs)
  const maxFrames = String(opts.maxFrames ?? 1000)
  if (!(client as unknown as Partial<Scripted>).chatSessionSend) {
    client.defineCommand('chatSessionSend', { numberOfKeys: 3, lua: SESSION_SEND })
    client.defineCommand('chatMessageEmit', { numberOfKeys: 5, lua: MESSAGE_EMIT })
  }
  const scripted = client as unknown as Scripted
  const keys = {
    session: (sid: string) => `${p}s:${sid}`,
    sessionFrames: (sid: string) => `${p}s:${sid}:f`,
    sessionChannel: (sid: string) => `${p}s:${sid}:c`,
    messageFrames: (mid: string) => `${p}m:${mid}:f`,
    messageChannel: (mid: string) => `${p}m:${mid}:c`
  }
  const stamp = (frame: ServerFrame) => JSON.stringify({ ...frame, ts: new Date().toISOString() })

  return {
    keys,
    async openSession (sid: string, userId: string): Promise<void> {
      await client.multi().hset(keys.session(sid), 'u', userId, 'seq', '0').pexpire(keys.session(sid), Number(resumeMs)).exec()
    },
    async session (sid: string): Promise<{ userId: string, seq: number } | null> {
      const h = await client.hgetall(keys.session(sid))
      return h.u ? { userId: h.u, seq: Number(h.seq ?? 0) } : null
    },
    /** Keeps a connected session (and its buffer) alive while nothing is sent. */
    async touch (sid: string): Promise<void> {
      await client.multi().pexpire(keys.session(sid), Number(resumeMs)).pexpire(keys.sessionFrames(sid), Number(resumeMs)).exec()
    },
    /** Numbers, keeps and publishes one frame of a session; 0 when the session is gone. */
    async toSession (sid: string, frame: ServerFrame): Promise<number> {
      return Number(await scripted.chatSessionSend(keys.session(sid), keys.sessionFrames(sid), keys.sessionChannel(sid), stamp(frame), resumeMs, maxFrames))
    },
    /** One frame of an assistant message: kept in its stream and, when it came from a session, sent there too. */
    async emit (mid: string, frame: ServerFrame, sid: string | null): Promise<number> {
      const ttl = frame.type === 'chat.done' ? resumeMs : streamingMs
      return Number(await scripted.chatMessageEmit(keys.messageFrames(mid), keys.messageChannel(mid), keys.session(sid ?? '-'), keys.sessionFrames(sid ?? '-'),
        keys.sessionChannel(sid ?? '-'), stamp(frame), ttl, resumeMs, maxFrames, sid ? '1' : '0'))
    },
    /** The session's buffered frames, raw (each starts with its seq). */
    sessionFrames: async (sid: string): Promise<string[]> => await client.lrange(keys.sessionFrames(sid), 0, -1),
    messageFrames: async (mid: string): Promise<ServerFrame[]> => (await client.lrange(keys.messageFrames(mid), 0, -1)).map((f) => JSON.parse(f) as ServerFrame),
    /** A control line on a session's channel (not a frame): `!<json>`. */
    control: async (sid: string, message: Record<string, unknown>) => await opts.channels.publish(keys.sessionChannel(sid), `!${JSON.stringify(message)}`)
  }
}
export type FrameBus = ReturnType<typeof createFrameBus>
