// GET/POST /api/auth/setup (SPEC §2.1): the first-run wizard's first step.
import type { FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { Email, Str } from '@robbie/contracts'
import { callerOf, sendGrant } from '../sessions/sessions.routes.js'
import { NewPassword, SessionReply, TimeZone } from '../sessions/sessions.schemas.js'
import type { SetupService } from './setup.service.js'

const Status = Type.Object({ needsOwner: Type.Boolean(), onboarded: Type.Boolean() }, { additionalProperties: false })
const Body = Type.Object({
  setupCode: Str(64, 1),
  email: Email,
  name: Str(200, 1),
  password: NewPassword,
  companyName: Str(200, 1),
  timeZone: TimeZone
}, { additionalProperties: false })

export async function setupRoutes (fastify: FastifyInstance, opts: { service: SetupService }) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  // public (SPEC §0.1): tells the web app whether to show the wizard; no data
  app.get('/setup', { config: { public: true }, schema: { response: { 200: Status } } }, async () => await opts.service.status())
  // public: the one-time setup code proves the caller
  app.post('/setup', {
    config: { public: true, limit: 'login' }, // guessing codes is limited like guessing passwords
    schema: { body: Body, response: { 201: SessionReply } }
  }, async (request, reply) => {
    const grant = await opts.service.setup(request.body, callerOf(request))
    return await reply.code(201).send(sendGrant(reply, grant))
  })
}
