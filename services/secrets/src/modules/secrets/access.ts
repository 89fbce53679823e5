// Who may do what with secrets (SPEC §1.1, §5.1). Members have no access at all: a route that names an entry
// answers them 404 (they learn nothing about which entries exist), a list or action route 403. Owners and
// admins hold the secrets:* scopes; a personal key may hold fewer, and lacking one is an honest 403.
import { ROLE_SCOPES, type Identity } from '@robbie/contracts'
import { genericError } from '@robbie/service-kit'

export type SecretsScope = 'secrets:read' | 'secrets:write' | 'secrets:reveal'

const isStaff = (identity: Identity | null): identity is Identity =>
  identity !== null && identity.kind === 'user' && (identity.role === 'owner' || identity.role === 'admin') && identity.scopes.includes('secrets:read')

/** Throws unless `identity` may use `scope`; `namesEntry` picks 404 over 403 for those with no access at all. */
export function requireAccess (identity: Identity | null, scope: SecretsScope, namesEntry: boolean): Identity {
  if (!isStaff(identity)) {
    throw namesEntry ? genericError('secrets', 'NOT_FOUND', 'No such secret') : genericError('secrets', 'FORBIDDEN', 'Secrets are for the owner and admins')
  }
  if (!identity.scopes.includes(scope)) throw genericError('secrets', 'FORBIDDEN', `This needs the ${scope} scope`)
  return identity
}

export const isOwner = (identity: Identity): boolean => identity.kind === 'user' && identity.role === 'owner'

/** An owner identity for in-process callers without a request (the .env import CLI): audited under `actorId`. */
export const ownerIdentity = (actorId: string): Identity => ({ kind: 'user', id: actorId, role: 'owner', scopes: [...ROLE_SCOPES.owner] })

/** SPEC §5.3: the namespaces each service identity may resolve; anything else is 403. */
export const RESOLVE_NAMESPACES: Readonly<Record<string, readonly string[]>> = {
  'integration-sync': ['google', 'smtp', 'fireflies'],
  'slack-bot': ['slack'],
  'github-bot': ['github'],
  'gpu-coordinator': ['ollama']
}
export const RESOLVE_CALLERS = Object.keys(RESOLVE_NAMESPACES)

/** The service name of a service identity (`svc:<name>`), or null. */
export const callerService = (identity: Identity | null): string | null =>
  identity?.kind === 'service' && identity.id.startsWith('svc:') ? identity.id.slice(4) : null

/** The node a caller runs on comes from its key's identity (`node:<name>`), never from a header. */
export const callerNode = (identity: Identity | null): string | null =>
  identity?.kind === 'node' && identity.id.startsWith('node:') ? identity.id.slice(5) : null
