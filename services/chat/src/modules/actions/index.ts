// The actions API (SPEC §3.7) as app.ts mounts it: `await app.register(actionsRoutes, { prefix: '/api/chat',
// actions: tools.actions })`. The service itself is built by createTools, which shares it with the commands.
export { actionsRoutes, type ActionsRoutesOptions } from './actions.routes.js'
export { createActionsService, type ActionsService, type NewAction } from './actions.service.js'
export { createActionsRepository, type ActionRow, type ActionStatus } from './actions.repository.js'
export { toActionView, ActionView } from './actions.schemas.js'
