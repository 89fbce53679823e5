// The audit seam (SPEC §2.4): the kit's `app.audit.record(client, entry, request?)` writes an `audit_events` row
// in the caller's transaction. Services here take only `record`, so scripts/users.ts can pass the kit's
// createAudit() without an app.
import type { Audit as KitAudit, AuditEntry } from '@robbie/service-kit'
import type { FastifyRequest } from 'fastify'

export type { AuditEntry }
export type Audit = Pick<KitAudit, 'record'>

/** Who asked: the request (the audit row's actor, ip and request id) plus what a session row keeps. */
export interface Caller {
  request?: FastifyRequest
  ip?: string
  userAgent?: string
  /** who acts when there is no request (scripts/users.ts: the operator CLI) */
  actor?: AuditEntry['actor']
}

/** A user acting before any identity exists on the request (login, setup, invite acceptance). */
export const userActor = (id: string) => ({ type: 'user' as const, id })
