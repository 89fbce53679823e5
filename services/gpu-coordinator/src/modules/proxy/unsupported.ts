// Everything else under the Ollama and OpenAI prefixes (SPEC §7.3): a path we serve with another method is a
// 405 with Allow, any other path 404 GPU_COORDINATOR_UNSUPPORTED_ENDPOINT, in the prefix's own error form.
// The catch-all needs the same identity as the model endpoints, so an anonymous caller learns nothing.
import type { FastifyInstance } from 'fastify'
import { genericError } from '@robbie/service-kit'
import { UnsupportedEndpoint } from './proxy.errors.js'

export function catchAll (app: FastifyInstance, pattern: string, served: Record<string, string>): void {
  app.route({
    method: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
    url: pattern,
    config: { scope: 'gpu-coordinator:generate' },
    schema: { summary: 'Any other path: 404 GPU_COORDINATOR_UNSUPPORTED_ENDPOINT (405 for a served path with another method)' },
    handler: async (request, reply) => {
      const path = request.url.split('?')[0] ?? ''
      const allow = served[path.replace(/^\/api\/gpu-coordinator/, '')]
      if (allow) {
        void reply.header('allow', allow)
        throw genericError('gpu-coordinator', 'METHOD_NOT_ALLOWED', `Use ${allow} on this path`)
      }
      throw new UnsupportedEndpoint(path.slice(0, 200))
    }
  })
}
