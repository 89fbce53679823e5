// GET/POST /api/auth/killswitch (SPEC §11.5): anyone signed in reads it, owner and admins toggle it.
import type { FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { IsoDateTime, Str } from '@robbie/contracts'
import { callerOf } from '../sessions/sessions.routes.js'
import type { KillswitchService } from './killswitch.service.js'

const State = Type.Object({
  active: Type.Boolean(),
  pauseOutbound: Type.Boolean(),
  reason: Type.Union([Type.String(), Type.Null()]),
  since: Type.Union([IsoDateTime, Type.Null()]),
  by: Type.Union([Type.String(), Type.Null()])
}, { additionalProperties: false })

const Body = Type.Object({
  active: Type.Boolean(),
  reason: Type.Optional(Str(500)),
  pauseOutbound: Type.Optional(Type.Boolean())
}, { additionalProperties: false })

export async function killswitchRoutes (fastify: FastifyInstance, opts: { service: KillswitchService }) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  app.get('/killswitch', { config: { scope: 'auth:read' }, schema: { response: { 200: State } } }, async () => await opts.service.get())
  app.post('/killswitch', {
    config: { scope: 'auth:admin', limit: 'sensitive' }, // fails closed without Redis
    schema: { body: Body, response: { 200: State } }
  }, async (request) => await opts.service.set(request.identity!, request.body, callerOf(request)))
}
