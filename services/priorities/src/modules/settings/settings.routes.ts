// Per-user settings (SPEC §4.6): the surface size and notification switches. No row = the defaults. A change
// bumps the user's surface version (the default `top` may have changed).
import type { FastifyInstance } from 'fastify'
import { Type, type Static } from 'typebox'
import { viewerOf, type ChangeNotifier } from '../items/index.js'

const Settings = Type.Object({
  surfaceCount: Type.Integer({ minimum: 1, maximum: 50 }),
  surfaceOnlyQ1: Type.Boolean(),
  notifyHuman: Type.Boolean(),
  notifyAgentCompletions: Type.Boolean(),
  notifySelfIssues: Type.Boolean()
}, { additionalProperties: false })
const PutBody = Type.Partial(Settings, { additionalProperties: false })
type PutBody = Static<typeof PutBody>

const DEFAULTS = { surfaceCount: 10, surfaceOnlyQ1: false, notifyHuman: true, notifyAgentCompletions: false, notifySelfIssues: true }
const toView = (r?: Record<string, unknown>) => r
  ? { surfaceCount: r.surface_count as number, surfaceOnlyQ1: r.surface_only_q1 as boolean, notifyHuman: r.notify_human as boolean, notifyAgentCompletions: r.notify_agent_completions as boolean, notifySelfIssues: r.notify_self_issues as boolean }
  : DEFAULTS

export async function settingsRoutes (app: FastifyInstance, opts: { notifier?: ChangeNotifier }): Promise<void> {
  const tags = ['settings']
  const COLUMNS = 'surface_count, surface_only_q1, notify_human, notify_agent_completions, notify_self_issues'

  app.get('/settings', { config: { scope: 'priorities:read' }, schema: { tags, summary: 'My priorities settings', response: { 200: Settings } } }, async (request) => {
    const { rows } = await app.db.query(`SELECT ${COLUMNS} FROM user_settings WHERE user_id = $1`, [viewerOf(request.identity).userId])
    return toView(rows[0])
  })

  app.put('/settings', { config: { scope: 'priorities:write' }, schema: { tags, summary: 'Change my priorities settings', body: PutBody, response: { 200: Settings } } }, async (request) => {
    const userId = viewerOf(request.identity).userId
    const b = request.body as PutBody
    const { rows } = await app.db.query(`INSERT INTO user_settings (user_id, surface_count, surface_only_q1, notify_human, notify_agent_completions, notify_self_issues, updated_at)
      VALUES ($1, COALESCE($2, 10), COALESCE($3, false), COALESCE($4, true), COALESCE($5, false), COALESCE($6, true), now())
      ON CONFLICT (user_id) DO UPDATE SET surface_count = COALESCE($2, user_settings.surface_count), surface_only_q1 = COALESCE($3, user_settings.surface_only_q1),
        notify_human = COALESCE($4, user_settings.notify_human), notify_agent_completions = COALESCE($5, user_settings.notify_agent_completions),
        notify_self_issues = COALESCE($6, user_settings.notify_self_issues), updated_at = now()
      RETURNING ${COLUMNS}`, [userId, b.surfaceCount ?? null, b.surfaceOnlyQ1 ?? null, b.notifyHuman ?? null, b.notifyAgentCompletions ?? null, b.notifySelfIssues ?? null])
    await opts.notifier?.changed({ users: [userId], company: false })
    return toView(rows[0])
  })
}
