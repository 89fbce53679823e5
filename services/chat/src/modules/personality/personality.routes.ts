// Personality routes (SPEC §3.3), mounted under /api/chat. Thin handlers over the personality service; the
// preview's optional model sample comes from a dependency (the engine's), limited to 6 a minute per user.
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Identity } from '@robbie/contracts'
import { genericError } from '@robbie/service-kit'
import type { Sliders } from '../assistant.types.js'
import { createPersonalityRepository } from './personality.repository.js'
import { createPersonalityService, type Notify, type PersonalityService } from './personality.service.js'
import { PersonalityChange, PersonalityView, PresetsReply, PreviewBody, PreviewReply } from './personality.schemas.js'

/**
 * Answers SPEC §3.3's fixed golden question at these settings (batch priority, with the user's rights), or
 * null when no model is connected. Absent (no engine wired): every sample is null.
 */
export type SampleAnswer = (sliders: Sliders, identity: Identity) => Promise<string | null>

interface PersonalityRoutesOptions {
  /** the service the engine and commands use too; built here (with `notify`) when absent */
  personality?: PersonalityService
  /** pushes `personality.changed` to the user's sockets; used only when `personality` is built here */
  notify?: Notify
  sample?: SampleAnswer
}

async function sampleLimit (app: FastifyInstance, request: FastifyRequest): Promise<void> {
  const hit = await app.limiter.hit('modelSample', `id:${request.identity!.id}`)
  if (hit.current > hit.max) {
    throw genericError('chat', 'RATE_LIMITED', 'At most 6 preview samples a minute; try again shortly', { headers: { 'retry-after': String(Math.max(1, Math.ceil(hit.ttl / 1000))) } })
  }
}

export async function personalityRoutes (app: FastifyInstance, opts: PersonalityRoutesOptions): Promise<void> {
  const personality = opts.personality ?? createPersonalityService({
    pool: app.db, repo: createPersonalityRepository(app.db), audit: app.audit, outbox: app.outbox, log: app.log.child({ module: 'personality' }), ...(opts.notify ? { notify: opts.notify } : {})
  })
  const tags = ['personality']

  app.get('/personality', {
    config: { scope: 'chat:read' },
    schema: { tags, summary: 'Your personality: sliders, preset, mood, version (balanced until you change it)', response: { 200: PersonalityView } }
  }, async (request) => await personality.get(request.identity!.id))

  app.put('/personality', {
    config: { scope: 'chat:write' },
    schema: { tags, summary: 'Change sliders (any of the four) or pick a preset', body: PersonalityChange, response: { 200: PersonalityView } }
  }, async (request) => await personality.set(request.identity!.id, request.body as PersonalityChange, { userId: request.identity!.id, via: 'rest', request }))

  app.get('/personality/presets', {
    config: { scope: 'chat:read' },
    schema: { tags, summary: 'The presets with their values and mood', response: { 200: PresetsReply } }
  }, async () => personality.presets())

  app.post('/personality/preview', {
    config: { scope: 'chat:read' },
    schema: { tags, summary: 'Compile sliders without saving; compare two settings; optionally sample the model (6/min)', body: PreviewBody, response: { 200: PreviewReply } }
  }, async (request) => {
    const body = request.body as PreviewBody
    const reply: PreviewReply = personality.preview(body)
    if (!body.sample) return reply
    await sampleLimit(app, request)
    reply.sample = await samples(body, request)
    return reply
  })

  async function samples (body: PreviewBody, request: FastifyRequest): Promise<PreviewReply['sample']> {
    if (!opts.sample) return null
    try {
      const a = await opts.sample(body.sliders, request.identity!)
      const b = body.compareWith ? await opts.sample(body.compareWith, request.identity!) : null
      if (a === null || (body.compareWith && b === null)) return null
      return { a, b }
    } catch (err) {
      // the preview itself is deterministic and stands; the sample is a bonus
      request.log.warn({ err }, 'personality sample failed')
      return null
    }
  }
}
