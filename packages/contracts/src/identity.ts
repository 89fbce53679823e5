// SPEC §2.3: who is calling. Set by the kit's auth hook as `request.identity`.
import { Type, type Static } from 'typebox'

export const Role = Type.Union([Type.Literal('owner'), Type.Literal('admin'), Type.Literal('member')])
export type Role = Static<typeof Role>

export interface Identity {
  kind: 'user' | 'service' | 'node'
  /** a user id, `svc:<name>` or `node:<name>` */
  id: string
  role?: Role
  scopes: string[]
  sessionId?: string
  keyId?: string
  /** set when a service acts for the user with a delegated token */
  actor?: { id: string, ctx?: 'dm' | 'channel' | 'web' }
}
