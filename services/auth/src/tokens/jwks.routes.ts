// GET /api/auth/.well-known/jwks.json (SPEC §2.1): the public halves of the current and previous signing keys.
import type { FastifyInstance } from 'fastify'
import { Type } from 'typebox'
import type { TokenSigner } from './index.js'

const Jwk = Type.Object({ kty: Type.String(), crv: Type.String(), x: Type.String(), kid: Type.String(), alg: Type.String(), use: Type.String() }, { additionalProperties: false })

export async function jwksRoutes (app: FastifyInstance, opts: { signer: TokenSigner }) {
  // public (SPEC §0.1): verifiers fetch the keys without a credential
  app.get('/.well-known/jwks.json', {
    config: { public: true },
    schema: { response: { 200: Type.Object({ keys: Type.Array(Jwk) }, { additionalProperties: false }) } }
  }, async () => {
    return opts.signer.jwks()
  })
}
