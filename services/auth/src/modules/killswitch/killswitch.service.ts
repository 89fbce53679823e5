// The killswitch (SPEC §11.5): Postgres holds the state; the Redis key `<prefix>killswitch` mirrors it for the
// workers, which treat a missing answer as active. Toggling fails closed (503) while Redis is unreachable,
// since a switch the workers cannot see would be a lie.
import { withTransaction, type Pool } from '@robbie/db'
import { genericError } from '@robbie/service-kit'
import { uuidv7, type Identity } from '@robbie/contracts'
import type { BusRedis, Hints, Outbox } from '@robbie/bus'
import type { Audit, Caller } from '../sessions/audit.js'
import type { KillswitchRepository, KillswitchRow } from './killswitch.repository.js'

export const killswitchKey = (prefix: string) => `${prefix}killswitch`

export const killswitchView = (row: KillswitchRow | null) => ({
  active: row?.active ?? false,
  pauseOutbound: row?.pauseOutbound ?? false,
  reason: row?.reason ?? null,
  since: row?.at.toISOString() ?? null,
  by: row?.actorId ?? null
})
export type KillswitchState = ReturnType<typeof killswitchView>

export function createKillswitchService (deps: {
  pool: Pool
  repo: KillswitchRepository
  redis: Pick<BusRedis, 'client' | 'prefix'>
  hints?: Pick<Hints, 'live'>
  audit: Audit
  outbox: Pick<Outbox, 'add'>
  clock: () => Date
  log: { warn: (obj: object, msg: string) => void }
}) {
  const mirror = async (state: KillswitchState) => {
    await deps.redis.client.set(killswitchKey(deps.redis.prefix), JSON.stringify(state))
  }

  return {
    async get () { return killswitchView(await deps.repo.latest()) },

    /** Writes the Postgres state to Redis (at boot: a Redis that lost its data learns the state again). */
    async syncMirror (): Promise<void> {
      try { await mirror(killswitchView(await deps.repo.latest())) } catch (err) {
        deps.log.warn({ err: { message: (err as Error).message } }, 'killswitch mirror not written')
      }
    },

    async set (identity: Identity, input: { active: boolean, reason?: string, pauseOutbound?: boolean }, caller: Caller) {
      if (input.active && !input.reason?.trim()) {
        throw genericError('auth', 'VALIDATION_FAILED', 'A reason is required to activate the killswitch', { details: [{ path: 'body/reason', rule: 'required' }] })
      }
      try { await deps.redis.client.ping() } catch {
        throw genericError('auth', 'UNAVAILABLE', 'Redis is unreachable: the killswitch cannot be announced', { headers: { 'retry-after': '5' } })
      }
      const row: KillswitchRow = {
        id: uuidv7(),
        active: input.active,
        pauseOutbound: input.active ? (input.pauseOutbound ?? true) : false,
        reason: input.reason?.trim() || null,
        actorId: identity.id,
        at: deps.clock()
      }
      const state = await withTransaction(deps.pool, async (client) => {
        await deps.repo.lock(client)
        await deps.repo.insert(row, client)
        await deps.audit.record(client, { action: input.active ? 'auth.killswitch.activate' : 'auth.killswitch.release', outcome: 'success', resourceType: 'killswitch', details: { pauseOutbound: row.pauseOutbound } }, caller.request)
        await deps.outbox.add(client, {
          type: 'auth.killswitch.changed.v1',
          subject: { type: 'killswitch', id: 'company' },
          actor: { type: identity.kind === 'user' ? 'user' : 'service', id: identity.id },
          data: { active: row.active, pauseOutbound: row.pauseOutbound, reason: row.reason, by: row.actorId }
        })
        return killswitchView(row)
      })
      try {
        await mirror(state)
      } catch (err) {
        // Postgres has it; the event carries it too, and the next toggle or restart rewrites the mirror
        deps.log.warn({ err: { message: (err as Error).message } }, 'killswitch mirror not written')
      }
      await deps.hints?.live({ type: 'killswitch.changed', data: state }).catch(() => 0)
      return state
    }
  }
}
export type KillswitchService = ReturnType<typeof createKillswitchService>
