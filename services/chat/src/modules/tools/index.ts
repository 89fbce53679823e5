// The tools and approvals of SPEC §3.7 as the rest of chat sees them. app.ts builds them once and hands them on:
//   const tools = createTools(app, { config, personality, notes, directory })
//   registerAuthEvents(app, { …, extra: tools.events }) // chat's one consumer of the `auth` stream
//   const commands = createCommands(app, { tools, personality })
//   await app.register(actionsRoutes, { prefix: '/api/chat', actions: tools.actions })
import type { FastifyInstance } from 'fastify'
import { createHints } from '@robbie/bus'
import type { ToolsApi } from '../assistant.types.js'
import { createActionsRepository } from '../actions/actions.repository.js'
import { createActionsService, type ActionsService } from '../actions/actions.service.js'
import type { Directory } from '../engine/directory.js'
import { createMeshClient, createPrioritiesClient, type CallConfig, type MeshClient, type PrioritiesClient } from './clients.js'
import { createExecutors } from './executors.js'
import { createKillswitch, KILLSWITCH_EVENT, type Killswitch } from './killswitch.js'
import { notesPort, type NotesPort, type NotesServicePart, type PersonalityPort } from './ports.js'
import { createTasks, type Tasks } from './tasks.js'
import { createToolsService, type ToolsService } from './tools.service.js'

export type { MeshView } from './clients.js'

interface ToolsDeps {
  config: CallConfig
  personality: PersonalityPort
  /** CB1's notes service (createNotesApi) */
  notes: NotesServicePart
  /** the engine's auth client: delegated tokens, user search (`@name`), the company's time zone, the killswitch */
  directory: ToolsDirectory
  clock?: () => Date
}

/** ToolsApi, plus what the commands and the actions routes share with it. */
export interface Tools extends ToolsApi {
  direct: ToolsService['direct']
  actions: ActionsService
  directory: ToolsDirectory
  priorities: PrioritiesClient
  tasks: Tasks
  mesh: MeshClient
  killswitch: Pick<Killswitch, 'state'>
  notes: NotesPort
  /** auth.killswitch.changed.v1, for chat's one consumer of the `auth` stream (a second group member would split it) */
  events: { stream: 'auth', types: string[], handle: Killswitch['handle'] }
}

type ToolsDirectory = Pick<Directory, 'userToken' | 'findUsers' | 'company' | 'setKillswitch'>

const EXPIRE_EVERY_MS = 15 * 60_000

export function createTools (app: FastifyInstance, deps: ToolsDeps): Tools {
  const log = app.log.child({ module: 'tools' })
  const clock = deps.clock ?? (() => new Date())
  const { directory } = deps
  const priorities = createPrioritiesClient(deps.config)
  const mesh = createMeshClient(deps.config)
  const tasks = createTasks({ priorities, directory })
  const killswitch = createKillswitch({ redis: app.redis, pool: app.db })
  const notes = notesPort(deps.notes)
  const executors = createExecutors({ priorities, tasks, notes, mesh })
  const hints = createHints({ redis: app.redis })
  const actions = createActionsService({
    pool: app.db,
    repo: createActionsRepository(app.db),
    outbox: app.outbox,
    audit: app.audit,
    executors,
    tokenFor: directory.userToken,
    hints,
    clock,
    log
  })
  const service = createToolsService({ actions, executors, killswitch, personality: deps.personality, log })

  app.jobs.schedule({ name: 'actions-expire', everyMs: EXPIRE_EVERY_MS, run: async () => ({ expired: await actions.expire() }) })
  app.addHook('onClose', async () => { await hints.close() })

  return {
    definitions: service.definitions,
    call: service.call,
    direct: service.direct,
    actions,
    directory,
    priorities,
    tasks,
    mesh,
    killswitch,
    notes,
    events: { stream: 'auth', types: [KILLSWITCH_EVENT], handle: killswitch.handle }
  }
}
