// SPEC §3.9: services publish "something changed" hints on `<prefix>live`; chat relays each to the sockets of
// this process that subscribed to its topic and may see it, as `live {topic, event, data}`. Hints may be lost;
// the UI refetches. Producers write the audience as `userIds`, `userId`, or "company" (also `scope: 'company'`),
// the topic as `topic` or implied by the event name (`surface.changed` → priorities). A killswitch change goes
// to every socket, subscribed or not: the whole UI shows it.
import { createHints, type BusRedis } from '@robbie/bus'
import type { Hub } from '../ws/hub.js'
import { TOPICS } from '../ws/frames.js'

type LiveFrame = { type: 'live', topic: string, event: string, data: unknown }

const TOPIC_OF_EVENT: Array<[RegExp, string]> = [
  [/^(surface|task|item|items|priorities)\b/, 'priorities'],
  [/^(action|actions)\b/, 'actions'],
  [/^(note|notes)\b/, 'notes'],
  [/^(node|mesh|gpu)\b/, 'mesh'],
  [/^(sync|integration)\b/, 'sync'],
  [/^killswitch\b/, 'killswitch']
]

/** The hint as a frame and its audience, or null when it names no topic we know. */
function toLive (payload: unknown): { frame: LiveFrame, users: string[] | 'company' } | null {
  if (!payload || typeof payload !== 'object') return null
  const { userIds, userId, scope, topic, event, type, data, ...rest } = payload as Record<string, unknown>
  const name = typeof event === 'string' ? event : typeof type === 'string' ? type : ''
  const t = typeof topic === 'string' && (TOPICS as readonly string[]).includes(topic) ? topic : TOPIC_OF_EVENT.find(([re]) => re.test(name))?.[1]
  if (!t || name === '') return null
  let users: string[] | 'company' = 'company'
  if (Array.isArray(userIds)) users = userIds.filter((u): u is string => typeof u === 'string')
  else if (typeof userId === 'string') users = [userId]
  else if (userIds !== undefined && userIds !== 'company' && scope !== 'company') return null
  return { frame: { type: 'live', topic: t, event: name, data: data ?? rest }, users }
}

export function createLiveRelay (opts: { redis: BusRedis, hub: Pick<Hub, 'all'> }) {
  const hints = createHints({ redis: opts.redis })
  return {
    async start (): Promise<void> {
      await hints.onLive((payload) => {
        const live = toLive(payload)
        if (!live) return
        const users = live.users === 'company' ? null : new Set(live.users)
        for (const s of opts.hub.all()) {
          if (users && !users.has(s.userId)) continue
          if (live.frame.topic !== 'killswitch' && !s.topics.has(live.frame.topic)) continue
          s.push(live.frame)
        }
      })
    },
    close: async () => { await hints.close() },
    /** Key revocations reach every replica as a hint; the hub closes that key's sockets (4401). */
    async onKeyRevoked (fn: (keyId: string) => void): Promise<void> {
      await hints.subscribe('apikey-revoked', (message) => { fn(String(message)) })
    }
  }
}
