// SPEC §2.3: scopes are `<service>:<verb>`; an access token carries only a role, whose scopes are below.
import type { Role } from './identity.js'

export const SCOPES = [
  'auth:read', 'auth:admin', 'auth:audit',
  'chat:read', 'chat:write',
  'priorities:read', 'priorities:write',
  'secrets:read', 'secrets:write', 'secrets:reveal',
  'integration-sync:read', 'integration-sync:write', 'integration-sync:send',
  'gpu-coordinator:generate', 'gpu-coordinator:read', 'gpu-coordinator:admin', 'gpu-coordinator:heartbeat',
  'slack-bot:admin', 'github-bot:read', 'github-bot:admin'
] as const
export type Scope = typeof SCOPES[number]

const all = SCOPES.filter((s) => s !== 'gpu-coordinator:heartbeat')

export const ROLE_SCOPES: Readonly<Record<Role, readonly Scope[]>> = Object.freeze({
  owner: all,
  admin: all.filter((s) => s !== 'integration-sync:send'),
  member: ['auth:read', 'auth:audit', 'chat:read', 'chat:write', 'priorities:read', 'priorities:write',
    'integration-sync:read', 'gpu-coordinator:generate', 'gpu-coordinator:read', 'github-bot:read']
})

export const isScope = (value: string): value is Scope => (SCOPES as readonly string[]).includes(value)
