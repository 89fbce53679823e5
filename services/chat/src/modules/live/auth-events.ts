// Chat's one consumer of the `auth` stream (a second member of the group would split the stream between them):
// auth.user.updated.v1 (a disabled user's sockets close with 4403, a changed one's with 4401; cached names go),
// auth.company.updated.v1 (the cached company profile goes, on every replica), plus whatever the tools handle
// (the killswitch). One replica receives each event and tells the others over chat's control channel.
import type { FastifyInstance } from 'fastify'
import type { EventEnvelope } from '@robbie/contracts'
import type { PoolClient } from '@robbie/db'
import type { Control } from './control.js'

interface AuthEventsDeps {
  control: Control
  evictUser: (userId: string) => void
  evictCompany: () => void
  extra?: { types: string[], handle: (event: EventEnvelope, client: PoolClient) => Promise<void> }
}

const USER_UPDATED = 'auth.user.updated.v1'
const COMPANY_UPDATED = 'auth.company.updated.v1'

export function registerAuthEvents (app: FastifyInstance, deps: AuthEventsDeps): void {
  deps.control.on((m) => {
    if (m.kind === 'user') deps.evictUser(m.userId)
    else if (m.kind === 'company') deps.evictCompany()
  })
  app.bus.consume({ streams: ['auth'], types: [USER_UPDATED, COMPANY_UPDATED, ...(deps.extra?.types ?? [])] }, async (event, client) => {
    if (event.type === USER_UPDATED) {
      const d = event.data as { userId?: unknown, status?: unknown, role?: unknown }
      if (typeof d.userId === 'string') await deps.control.publish({ kind: 'user', userId: d.userId, status: String(d.status ?? ''), role: String(d.role ?? '') })
    } else if (event.type === COMPANY_UPDATED) {
      await deps.control.publish({ kind: 'company' })
    } else if (deps.extra?.types.includes(event.type)) {
      await deps.extra.handle(event, client)
    }
  })
}
