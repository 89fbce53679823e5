// The actions API (SPEC §3.7) as app.ts mounts it: `await app.register(actionsRoutes, { prefix: '/api/chat',
// actions: tools.actions })`. The service itself is built by createTools, which shares it with the commands.
export { actionsRoutes } from './actions.routes.js'
