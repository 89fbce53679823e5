// Sample data (SPEC §11.6), loaded and removed by auth for the owner (`POST|DELETE /internal/priorities/sample-data`):
// 12 tasks in Q1 and Q2 (among them V3 and V4 of §4.2), two more placed in Q3 and Q4 by overrides, 3 deals (V1,
// V7 and one more), people (Dana Reyes, score 90). Every row is marked `sample`, so removal takes exactly these.
// Both calls are idempotent: loading twice loads once; removing when nothing is loaded removes nothing.
import type { FastifyInstance } from 'fastify'
import { Type, type Static } from 'typebox'
import { Id } from '@robbie/contracts'
import { type ItemsService, type Priority, type Viewer } from '../items/index.js'
import { upsertDeal } from '../deals/deals.routes.js'

const Body = Type.Object({ ownerUserId: Id }, { additionalProperties: false })
type Body = Static<typeof Body>
const Counts = Type.Object({ tasks: Type.Integer(), deals: Type.Integer(), people: Type.Integer(), loaded: Type.Boolean() })

const HOUR = 3_600_000
interface SampleTask { title: string, priority: Priority, category?: string, dueInH?: number, description?: string, people?: string[], deal?: string, move?: 'Q3' | 'Q4' }
const TASKS: SampleTask[] = [
  // V3: medium, one person, a 75 000 deal, due in 20 h, a 240-character description → Q1
  { title: 'Send Globex the revised proposal', priority: 'medium', dueInH: 20, people: ['sam.lee@globex.example'], deal: 'globex', description: 'Globex asked for a revised proposal with the phased rollout and the updated support tiers. Include the security appendix, the pricing for 250 seats and the timeline we discussed on Tuesday; Sam needs it before their budget meeting.' },
  // V4: low, nothing else → Q2
  { title: 'Read the board memo', priority: 'low' },
  { title: 'Approve the Q3 hiring plan', priority: 'critical', category: 'planning', dueInH: 6 },
  { title: 'Prepare the investor update', priority: 'high', category: 'planning', dueInH: 30 },
  { title: 'Renew the SOC 2 auditor contract', priority: 'high', category: 'security', dueInH: 12 },
  { title: 'Call Dana Reyes about the contract redlines', priority: 'high', dueInH: 4, people: ['dana.reyes@acme.example'] },
  { title: 'Outline the 2027 product strategy', priority: 'medium', category: 'planning' },
  { title: 'Review the pricing experiment results', priority: 'medium', category: 'analysis' },
  { title: 'Mentor session notes for the new PM', priority: 'low', category: 'learning' },
  { title: 'Draft the partnership one-pager', priority: 'medium', category: 'opportunity' },
  { title: 'Book travel for the Berlin offsite', priority: 'low', dueInH: 40, move: 'Q3' },
  { title: 'Clean up old shared drive folders', priority: 'low', category: 'maintenance', move: 'Q4' }
]
const DEALS = [
  // V1: 120 000 at 50 %, closes in 30 h; V7: 300 000 at 40 %, closes in 2 h
  { externalId: 'sample-acme-renewal', name: 'Acme renewal', amount: 120_000, probability: 50, closesInH: 30, contacts: ['dana.reyes@acme.example'] },
  { externalId: 'sample-initech-expansion', name: 'Initech expansion', amount: 300_000, probability: 40, closesInH: 2, contacts: [] },
  { externalId: 'sample-globex-pilot', name: 'Globex pilot', amount: 75_000, probability: 60, closesInH: 24 * 21, contacts: ['sam.lee@globex.example'] }
]
const PEOPLE = [
  { email: 'dana.reyes@acme.example', name: 'Dana Reyes', tier: 'unknown', score: 90, company: 'Acme' },
  { email: 'sam.lee@globex.example', name: 'Sam Lee', tier: 'director', score: 70, company: 'Globex' },
  { email: 'priya.shah@initech.example', name: 'Priya Shah', tier: 'c_level', score: 85, company: 'Initech' }
]

export async function sampleRoutes (app: FastifyInstance, opts: { items: ItemsService }): Promise<void> {
  const { items } = opts
  const config = { allowedCallers: ['auth'] }
  const schema = { tags: ['sample data'], body: Body, response: { 200: Counts } }

  const counts = async (ownerUserId: string, loaded: boolean) => {
    const { rows } = await app.db.query(`SELECT
      (SELECT count(*) FROM items WHERE sample AND owner_user_id = $1 AND kind = 'task')::int AS tasks,
      (SELECT count(*) FROM deals WHERE sample)::int AS deals,
      (SELECT count(*) FROM people WHERE sample)::int AS people`, [ownerUserId])
    return { ...rows[0], loaded } as Static<typeof Counts>
  }

  app.post('/internal/priorities/sample-data', { config, schema: { ...schema, summary: 'Load the sample data for the owner (idempotent)' } }, async (request) => {
    const { ownerUserId } = request.body as Body
    const existing = await counts(ownerUserId, true)
    if (existing.tasks + existing.deals + existing.people > 0) return existing
    const owner: Viewer = { userId: ownerUserId, role: 'owner' }
    const now = Date.now()
    for (const p of PEOPLE) {
      await app.db.query(`INSERT INTO people (email, name, tier, score, company, updated_at, sample) VALUES ($1, $2, $3, $4, $5, now(), true)
        ON CONFLICT (email) DO NOTHING`, [p.email, p.name, p.tier, p.score, p.company])
    }
    for (const d of DEALS) {
      const { row } = await upsertDeal(app, items, owner, d.externalId, {
        name: d.name, amount: d.amount, probability: d.probability, closeDate: new Date(now + d.closesInH * HOUR).toISOString(), contactEmails: d.contacts
      }, { sample: true })
      if (row.item_id) await app.db.query('UPDATE items SET sample = true WHERE id = $1', [row.item_id])
    }
    for (const t of TASKS) {
      const { item } = await items.createTask(owner, {
        title: t.title,
        priority: t.priority,
        ...(t.category ? { category: t.category } : {}),
        ...(t.dueInH !== undefined ? { dueAt: new Date(now + t.dueInH * HOUR) } : {}),
        ...(t.description ? { description: t.description } : {}),
        ...(t.people ? { associatedPeople: t.people.map((email) => ({ email })) } : {}),
        ...(t.deal ? { associatedDeals: [{ id: t.deal, name: 'Globex pilot', amount: 75_000 }] } : {}),
        tags: ['sample']
      })
      await app.db.query('UPDATE items SET sample = true WHERE id = $1', [item.id])
      if (t.move) await items.move(owner, item.id, t.move, request)
    }
    return await counts(ownerUserId, true)
  })

  app.delete('/internal/priorities/sample-data', { config, schema: { ...schema, summary: 'Remove the sample data (idempotent)' } }, async (request) => {
    const { ownerUserId } = request.body as Body
    const { rows } = await app.db.query('SELECT id, owner_user_id, assignee_user_id, visibility FROM items WHERE sample AND owner_user_id = $1', [ownerUserId])
    await app.db.query('DELETE FROM deals WHERE sample')
    await app.db.query('DELETE FROM items WHERE sample AND owner_user_id = $1', [ownerUserId])
    await app.db.query('DELETE FROM people WHERE sample')
    const users = new Set<string>()
    for (const r of rows) { users.add(r.owner_user_id as string); if (r.assignee_user_id) users.add(r.assignee_user_id as string) }
    await items.changed({ users: [...users], company: rows.some((r) => r.visibility === 'company') })
    return await counts(ownerUserId, false)
  })
}
