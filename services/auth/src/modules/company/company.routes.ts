// GET/PATCH /api/auth/company (owner, admin) and GET /internal/auth/company (SPEC §2.2).
import type { FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { Static } from 'typebox'
import { callerOf } from '../sessions/sessions.routes.js'
import type { CompanyService } from './company.service.js'
import { Company, CompanyPatchBody } from './company.schemas.js'

export async function companyRoutes (fastify: FastifyInstance, opts: { service: CompanyService }) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  app.get('/company', { config: { scope: 'auth:admin' }, schema: { response: { 200: Company } } }, async () => await opts.service.get())
  app.patch('/company', {
    config: { scope: 'auth:admin' },
    schema: { body: CompanyPatchBody, response: { 200: Company } }
  }, async (request) => await opts.service.update(request.identity!, request.body as Static<typeof CompanyPatchBody>, callerOf(request)))
}

export async function internalCompanyRoutes (fastify: FastifyInstance, opts: { service: CompanyService }) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  app.get('/company', {
    config: { allowedCallers: ['chat', 'priorities', 'gpu-coordinator', 'integration-sync'] },
    schema: { response: { 200: Company } }
  }, async () => await opts.service.get())
}
