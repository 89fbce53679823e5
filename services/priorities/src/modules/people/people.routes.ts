// People (SPEC §4.1, §4.6): contact tiers, scores and response times that feed sender importance. Owner and
// admin only (SPEC §1.1). A change re-scores email items, so every surface version is bumped.
import type { FastifyInstance } from 'fastify'
import { Type, type Static } from 'typebox'
import { Email, Str } from '@robbie/contracts'
import { genericError } from '@robbie/service-kit'
import type { ChangeNotifier } from '../items/index.js'
import { Tier } from '../scoring/scoring.schemas.js'

const Params = Type.Object({ email: Email }, { additionalProperties: false })
type Params = Static<typeof Params>
const PutBody = Type.Object({
  name: Type.Optional(Type.Union([Str(200), Type.Null()])),
  tier: Type.Optional(Tier),
  score: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 })),
  responseHours: Type.Optional(Type.Integer({ minimum: 0, maximum: 8760 })),
  company: Type.Optional(Type.Union([Str(200), Type.Null()]))
}, { additionalProperties: false })
type PutBody = Static<typeof PutBody>
const PersonView = Type.Object({
  email: Type.String(),
  name: Type.Union([Type.String(), Type.Null()]),
  tier: Type.String(),
  score: Type.Integer(),
  responseHours: Type.Integer(),
  company: Type.Union([Type.String(), Type.Null()]),
  updatedAt: Type.String()
})

const COLUMNS = 'email, name, tier, score, response_hours, company, updated_at'
const toView = (r: Record<string, unknown>) => ({
  email: r.email as string,
  name: r.name as string | null,
  tier: r.tier as string,
  score: r.score as number,
  responseHours: r.response_hours as number,
  company: r.company as string | null,
  updatedAt: (r.updated_at as Date).toISOString()
})

export async function peopleRoutes (app: FastifyInstance, opts: { notifier?: ChangeNotifier }): Promise<void> {
  const config = { roles: ['owner' as const, 'admin' as const] }
  const tags = ['people']
  const notFound = (email: string) => genericError('priorities', 'NOT_FOUND', `No person '${email}'`)

  app.get('/people/:email', { config, schema: { tags, summary: 'One person (owner, admin)', params: Params, response: { 200: PersonView } } }, async (request) => {
    const email = (request.params as Params).email.toLowerCase()
    const { rows } = await app.db.query(`SELECT ${COLUMNS} FROM people WHERE email = $1`, [email])
    if (!rows[0]) throw notFound(email)
    return toView(rows[0])
  })

  app.put('/people/:email', {
    config, schema: { tags, summary: 'Create or change a person (owner, admin)', params: Params, body: PutBody, response: { 200: PersonView, 201: PersonView } }
  }, async (request, reply) => {
    const email = (request.params as Params).email.toLowerCase()
    const b = request.body as PutBody
    const { rows } = await app.db.query(`INSERT INTO people (email, name, tier, score, response_hours, company, updated_at)
      VALUES ($1, $2, COALESCE($3, 'unknown'), COALESCE($4, 50), COALESCE($5, 48), $6, now())
      ON CONFLICT (email) DO UPDATE SET
        name = CASE WHEN $7 THEN EXCLUDED.name ELSE people.name END,
        tier = COALESCE($3, people.tier), score = COALESCE($4, people.score), response_hours = COALESCE($5, people.response_hours),
        company = CASE WHEN $8 THEN EXCLUDED.company ELSE people.company END, updated_at = now()
      RETURNING ${COLUMNS}, (xmax = 0) AS inserted`,
    [email, b.name ?? null, b.tier ?? null, b.score ?? null, b.responseHours ?? null, b.company ?? null, b.name !== undefined, b.company !== undefined])
    await opts.notifier?.changed({ users: [], company: true }).catch(() => {})
    return await reply.code(rows[0].inserted ? 201 : 200).send(toView(rows[0]))
  })

  app.delete('/people/:email', { config, schema: { tags, summary: 'Forget a person (owner, admin)', params: Params } }, async (request, reply) => {
    const email = (request.params as Params).email.toLowerCase()
    const { rowCount } = await app.db.query('DELETE FROM people WHERE email = $1', [email])
    if (rowCount === 0) throw notFound(email)
    await opts.notifier?.changed({ users: [], company: true }).catch(() => {})
    return await reply.code(204).send()
  })
}
