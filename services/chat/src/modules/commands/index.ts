// The built-in commands (SPEC §3.6) as the engine sees them: CommandsApi (its list() also feeds GET
// /api/chat/commands, served by the conversations routes). app.ts: `createCommands(app, { tools, personality })`.
import type { FastifyInstance } from 'fastify'
import type { CommandsApi } from '../assistant.types.js'
import type { Tools } from '../tools/index.js'
import type { PersonalityPort } from '../tools/ports.js'
import { createCommandsService } from './commands.service.js'
import { COMMANDS, isCommand } from './parser.js'

export function createCommands (app: FastifyInstance, deps: { tools: Tools, personality: PersonalityPort, clock?: () => Date }): CommandsApi {
  const service = createCommandsService({ ...deps, notes: deps.tools.notes, log: app.log.child({ module: 'commands' }) })
  return {
    isCommand,
    run: service.run,
    list: () => COMMANDS.map((c) => ({ ...c }))
  }
}
