// SPEC §2.3 "Acting for a user": POST /internal/auth/delegate → a short-lived JWT with the user's sub and role
// and `act: { sub: 'svc:<caller>' }`, which every service checks like any access token.
import { describe, expect, it } from 'vitest'
import { decodeJwt } from 'jose'
import { uuidv7 } from '@robbie/contracts'
import { createTokenVerifier } from '@robbie/service-kit'
import { bearer, buildKeysApp } from './keys.helper.js'
import { makeUser } from './factories.js'

const { app, ctx, svc } = await buildKeysApp()
const delegate = async (caller: string, payload: Record<string, unknown>) =>
  await app.inject({ method: 'POST', url: '/internal/auth/delegate', headers: bearer(caller), payload })

describe('POST /internal/auth/delegate', () => {
  it('signs a token for the user that carries act and ctx', async () => {
    const user = await makeUser(app, { role: 'admin' })
    const res = await delegate(svc.chat!, { userId: user.id, ctx: 'dm', ttlS: 120 })
    expect(res.statusCode).toBe(200)
    const { token, expiresAt } = res.json<{ token: string, expiresAt: string }>()
    const claims = decodeJwt(token)
    expect(claims).toMatchObject({ sub: user.id, role: 'admin', act: { sub: 'svc:chat' }, ctx: 'dm', iss: 'robbie-auth', aud: 'robbie' })
    expect(claims.exp! - claims.iat!).toBe(120)
    expect(Math.abs(Date.parse(expiresAt) - claims.exp! * 1000)).toBeLessThan(2000)
    // every service verifies it like an access token, with the acting service as actor
    const identity = await createTokenVerifier(ctx.env.ROBBIE_JWT_KEYS_FILE!)(token)
    expect(identity).toMatchObject({ kind: 'user', id: user.id, role: 'admin', actor: { id: 'svc:chat', ctx: 'dm' } })
    // and it is audited as the service acting
    const { rows } = await app.db.query<{ actor_id: string, resource_id: string }>("SELECT actor_id, resource_id FROM audit_events WHERE action = 'auth.token.delegate'")
    expect(rows).toContainEqual({ actor_id: 'svc:chat', resource_id: user.id })
  })

  it('is for the delegating services only, and for active users only', async () => {
    const user = await makeUser(app)
    expect((await delegate(svc.priorities!, { userId: user.id })).statusCode).toBe(403)
    expect((await delegate(svc.chat!, { userId: uuidv7() })).statusCode).toBe(404)
    const disabled = await makeUser(app, { status: 'disabled' })
    expect((await delegate(svc.chat!, { userId: disabled.id })).statusCode).toBe(404)
    const tooLong = await delegate(svc.chat!, { userId: user.id, ttlS: 301 })
    expect([tooLong.statusCode, tooLong.json().error.code]).toEqual([400, 'AUTH_VALIDATION_FAILED'])
  })
})
