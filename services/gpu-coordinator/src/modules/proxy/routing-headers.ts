// The request headers a model call may carry (SPEC §7.2, §7.3): X-Robbie-Priority (honoured above the
// caller's default only for the owner, admins, services and delegated tokens of a service), X-Robbie-Session
// and X-Robbie-Require-Labels.
import { Type } from 'typebox'
import type { Identity } from '@robbie/contracts'
import type { PriorityClass } from '../mesh/mesh.types.js'
import { InvalidLabels } from './proxy.errors.js'

/** Validated by the routes' header schema; every other header passes. */
export const RoutingHeaders = Type.Object({
  'x-robbie-priority': Type.Optional(Type.Union([Type.Literal('interactive'), Type.Literal('normal'), Type.Literal('batch')])),
  'x-robbie-session': Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  'x-robbie-require-labels': Type.Optional(Type.String({ minLength: 1, maxLength: 1000 }))
})

const RANK: Record<PriorityClass, number> = { batch: 0, normal: 1, interactive: 2 }
const MAX_LABELS = 16
const LABEL = /^([A-Za-z0-9][A-Za-z0-9._/-]{0,62})=([A-Za-z0-9._/:-]{0,100})$/

/** A person's own token is interactive, an API key normal, anything else batch (SPEC §7.2). */
export function defaultClass (identity: Identity): PriorityClass {
  if (identity.kind === 'user') return identity.keyId ? 'normal' : 'interactive'
  return identity.kind === 'service' ? 'normal' : 'batch'
}

function mayRaise (identity: Identity): boolean {
  return identity.kind === 'service' || identity.role === 'owner' || identity.role === 'admin' ||
    identity.actor?.id.startsWith('svc:') === true
}

/** The class a call gets: the header when it lowers the default or the caller may raise it, else the default. */
export function priorityOf (identity: Identity, requested: PriorityClass | undefined): PriorityClass {
  const fallback = defaultClass(identity)
  if (!requested) return fallback
  return RANK[requested] <= RANK[fallback] || mayRaise(identity) ? requested : fallback
}

/** `gpu=a100,zone=lab` → { gpu: 'a100', zone: 'lab' }. */
export function parseLabels (header: string | undefined): Record<string, string> | undefined {
  if (header === undefined) return undefined
  const pairs = header.split(',').map((p) => p.trim()).filter((p) => p !== '')
  if (pairs.length === 0 || pairs.length > MAX_LABELS) throw new InvalidLabels()
  const labels: Record<string, string> = {}
  for (const pair of pairs) {
    const m = LABEL.exec(pair)
    if (!m) throw new InvalidLabels()
    labels[m[1]!] = m[2]!
  }
  return labels
}
