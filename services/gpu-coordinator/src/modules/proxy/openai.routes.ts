// The OpenAI-compatible endpoints under /api/gpu-coordinator/v1 (SPEC §7.3). Completions go to the node's own
// /v1/chat/completions (Ollama serves it), so OpenAI's bodies and SSE pass through as the node speaks them.
// Errors use OpenAI's `{error: {message, type, code}}` with our code (SPEC §0.2).
import type { FastifyInstance } from 'fastify'
import type { Static } from 'typebox'
import type { Mesh } from '../mesh/mesh.types.js'
import { modelsView } from './catalogue.views.js'
import { installErrorForm } from './error-forms.js'
import type { ModelCall } from './model-call.js'
import { CompletionsBody, ModelsReply, NodeAnswer } from './proxy.schemas.js'
import { RoutingHeaders } from './routing-headers.js'
import { catchAll } from './unsupported.js'

const config = { scope: 'gpu-coordinator:generate' }
const SERVED = { '/v1/chat/completions': 'POST', '/v1/models': 'GET' }

export async function openAiRoutes (fastify: FastifyInstance, opts: { mesh: Pick<Mesh, 'catalogue'>, modelCall: ModelCall }) {
  installErrorForm(fastify, 'openai')
  const app = fastify

  // OpenAI answers whole unless the body says `stream: true`
  app.post('/v1/chat/completions', { config, schema: { headers: RoutingHeaders, body: CompletionsBody, response: { 200: NodeAnswer } } }, async (request, reply) => {
    const body = request.body as Static<typeof CompletionsBody>
    return await opts.modelCall(request, reply, { form: 'openai', path: '/v1/chat/completions', body, stream: body.stream === true })
  })
  app.get('/v1/models', { config, schema: { response: { 200: ModelsReply } } }, async () => modelsView(opts.mesh.catalogue()))
  catchAll(fastify, '/v1/*', SERVED)
}
