// Access tokens (SPEC §2.1, §2.3): EdDSA JWTs with `typ: at+jwt` and the current key's `kid`, 15 minutes.
// An access token carries the role only; every verifier maps it to scopes (ROLE_SCOPES). Delegated tokens
// (B2's POST /internal/auth/delegate) add `act` and `ctx` and call signAccessToken() from here.
import { SignJWT } from 'jose'
import { uuidv7, type Role } from '@robbie/contracts'
import { createKeyStore, type KeyStore } from './keys.js'

export const ACCESS_TOKEN_TTL_S = 900
export const TOKEN_ISSUER = 'robbie-auth'
export const TOKEN_AUDIENCE = 'robbie'

export interface AccessTokenClaims {
  sub: string
  role: Role
  /** the session (refresh-token family) id; the denylist key */
  sid?: string
  /** a service acting for the user: `{ sub: 'svc:chat' }` */
  act?: { sub: string }
  ctx?: 'dm' | 'channel' | 'web'
  ttlS?: number
}

export function createTokenSigner (opts: { keysFile: string, clock?: () => Date }) {
  const clock = opts.clock ?? (() => new Date())
  const keys: KeyStore = createKeyStore({ file: opts.keysFile, now: () => clock().getTime() })
  return {
    async signAccessToken (claims: AccessTokenClaims): Promise<{ token: string, expiresIn: number, jti: string }> {
      const { kid, key } = await keys.current()
      const ttl = claims.ttlS ?? ACCESS_TOKEN_TTL_S
      const iat = Math.floor(clock().getTime() / 1000)
      const jti = uuidv7()
      const token = await new SignJWT({
        role: claims.role,
        ...(claims.sid ? { sid: claims.sid } : {}),
        ...(claims.act ? { act: claims.act } : {}),
        ...(claims.ctx ? { ctx: claims.ctx } : {})
      })
        .setProtectedHeader({ alg: 'EdDSA', typ: 'at+jwt', kid })
        .setIssuer(TOKEN_ISSUER).setAudience(TOKEN_AUDIENCE).setSubject(claims.sub).setJti(jti)
        .setIssuedAt(iat).setNotBefore(iat).setExpirationTime(iat + ttl)
        .sign(key)
      return { token, expiresIn: ttl, jti }
    },
    jwks: () => ({ keys: keys.publicJwks() })
  }
}
export type TokenSigner = ReturnType<typeof createTokenSigner>

let defaultSigner: TokenSigner | undefined

/** createApp registers its signer here, so other modules of auth can sign without threading it through. */
export function useTokenSigner (signer: TokenSigner): void { defaultSigner = signer }

/** Signs with the signer of the running auth app (see createApp). */
export async function signAccessToken (claims: AccessTokenClaims): Promise<{ token: string, expiresIn: number, jti: string }> {
  if (!defaultSigner) throw new Error('no token signer: createApp() registers one')
  return await defaultSigner.signAccessToken(claims)
}
