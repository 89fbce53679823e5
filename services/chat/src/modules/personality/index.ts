// The personality module (SPEC §3.3) as the rest of chat sees it. The engine compiles the user's sliders into
// the system prompt's voice (user-visible replies only; neutral prompts never get it), the commands and the WS
// frame change them with `set`, and app.ts mounts the routes:
//   const personality = createPersonalityApi(app, { notify })
//   await app.register(personalityRoutes, { prefix: '/api/chat', personality, sample })
import type { FastifyInstance } from 'fastify'
import type { PersonalityApi } from '../assistant.types.js'
import { createPersonalityRepository } from './personality.repository.js'
import { createPersonalityService, type Notify, type PersonalityService } from './personality.service.js'

export { personalityRoutes, type SampleAnswer } from './personality.routes.js'
export type { Notify, PersonalityChangedFrame, PersonalityService } from './personality.service.js'
export type { PersonalityChange } from './personality.schemas.js'

/** PersonalityApi (get, compile) plus `set`, `presets` and `preview` for the commands and the routes. */
export function createPersonalityApi (app: FastifyInstance, deps: { notify?: Notify, now?: () => Date } = {}): PersonalityApi & PersonalityService {
  return createPersonalityService({
    pool: app.db,
    repo: createPersonalityRepository(app.db),
    audit: app.audit,
    outbox: app.outbox,
    log: app.log.child({ module: 'personality' }),
    ...deps
  })
}
