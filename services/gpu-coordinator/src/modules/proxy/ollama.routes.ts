// The Ollama-compatible endpoints under /api/gpu-coordinator/api (SPEC §7.3), so that the `ollama` client's
// host is `<origin>/api/gpu-coordinator`. Errors use Ollama's string form (SPEC §0.2).
import type { FastifyInstance } from 'fastify'
import type { Static } from 'typebox'
import type { Mesh } from '../mesh/mesh.types.js'
import { OLLAMA_API_VERSION, psView, tagsView } from './catalogue.views.js'
import { installErrorForm } from './error-forms.js'
import type { ModelCall } from './model-call.js'
import { ChatBody, GenerateBody, NodeAnswer, PsReply, TagsReply, VersionReply } from './proxy.schemas.js'
import { RoutingHeaders } from './routing-headers.js'
import { catchAll } from './unsupported.js'

const config = { scope: 'gpu-coordinator:generate' }
const SERVED = { '/api/chat': 'POST', '/api/generate': 'POST', '/api/tags': 'GET', '/api/ps': 'GET', '/api/version': 'GET' }

export async function ollamaRoutes (fastify: FastifyInstance, opts: { mesh: Pick<Mesh, 'catalogue'>, modelCall: ModelCall }) {
  installErrorForm(fastify, 'ollama')
  const app = fastify

  // Ollama streams unless the body says `stream: false`
  app.post('/api/chat', { config, schema: { headers: RoutingHeaders, body: ChatBody, response: { 200: NodeAnswer } } }, async (request, reply) => {
    const body = request.body as Static<typeof ChatBody>
    return await opts.modelCall(request, reply, { form: 'ollama', path: '/api/chat', body, stream: body.stream !== false })
  })
  app.post('/api/generate', { config, schema: { headers: RoutingHeaders, body: GenerateBody, response: { 200: NodeAnswer } } }, async (request, reply) => {
    const body = request.body as Static<typeof GenerateBody>
    return await opts.modelCall(request, reply, { form: 'ollama', path: '/api/generate', body, stream: body.stream !== false })
  })
  app.get('/api/tags', { config, schema: { response: { 200: TagsReply } } }, async () => tagsView(opts.mesh.catalogue()))
  app.get('/api/ps', { config, schema: { response: { 200: PsReply } } }, async () => psView(opts.mesh.catalogue()))
  app.get('/api/version', { config, schema: { response: { 200: VersionReply } } }, async () => ({ version: OLLAMA_API_VERSION }))
  catchAll(fastify, '/api/*', SERVED)
}
