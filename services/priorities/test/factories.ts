// Tasks and items made for tests: through the API (tasks) or the items service (derived items).
import type { FastifyInstance } from 'fastify'
import { expect } from 'vitest'
import { buildItemsService, type SourceInput } from '../src/modules/items/index.js'
import type { User } from './helper.js'

export async function makeTask (app: FastifyInstance, as: User, body: Record<string, unknown> = {}) {
  const res = await app.inject({ method: 'POST', url: '/api/priorities/tasks', headers: as.headers, payload: { title: `Task ${Math.random().toString(36).slice(2)} ${Math.random().toString(36).slice(2)}`, ...body } })
  expect(res.statusCode, res.body).toBe(201)
  return (res.json() as { task: { id: string, number: number, version: number, title: string } }).task
}

export async function makeItem (app: FastifyInstance, input: Partial<SourceInput> & Pick<SourceInput, 'ownerUserId'>) {
  const r = await buildItemsService(app).createFromSource(undefined, { kind: 'email', title: 'An email', visibility: 'owner', ...input })
  return r.item
}
