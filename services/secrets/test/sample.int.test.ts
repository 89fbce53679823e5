// Sample data (SPEC §11.6): auth loads one secret due for rotation for the owner and removes it again; both calls
// are idempotent, only auth may make them, and removal leaves the company's own secrets alone.
import { beforeAll, describe, expect, it } from 'vitest'
import { uuidv7 } from '@robbie/contracts'
import type { FastifyInstance } from 'fastify'
import { asRole, bearer, buildSecretsApp, codeOf, serviceKey } from './helper.js'

const authKey = serviceKey('auth')
const chatKey = serviceKey('chat')
const owner = uuidv7()
let app: FastifyInstance

beforeAll(async () => { ({ app } = await buildSecretsApp()) })

const call = (method: 'POST' | 'DELETE', key = authKey) =>
  app.inject({ method, url: '/internal/secrets/sample-data', headers: bearer(key), payload: { ownerUserId: owner } })

describe('sample data', () => {
  it('loads one secret due for rotation, once, written as the owner', async () => {
    const own = await app.inject({ method: 'PUT', url: '/api/secrets/entries/crm/real-token', headers: await asRole('owner', owner), payload: { value: 'a-real-company-token' } })
    expect(own.statusCode).toBe(201)

    const first = await call('POST')
    expect(first.statusCode).toBe(200)
    expect(first.json()).toEqual({ secrets: 1, loaded: true })
    expect((await call('POST')).json()).toEqual({ secrets: 1, loaded: true })

    const { rows } = await app.db.query('SELECT service, name, created_by, rotation_due_at < now() AS due FROM secrets WHERE sample')
    expect(rows).toEqual([{ service: 'sample', name: 'crm-api-token', created_by: owner, due: true }])
    const listed = await app.inject({ method: 'GET', url: '/api/secrets/entries?service=sample', headers: await asRole('owner', owner) })
    expect(listed.json().items.map((s: { name: string }) => s.name)).toEqual(['crm-api-token'])
  })

  it('removes only the sample secret, idempotently', async () => {
    expect((await call('DELETE')).json()).toEqual({ secrets: 0, loaded: false })
    expect((await call('DELETE')).json()).toEqual({ secrets: 0, loaded: false })
    const { rows } = await app.db.query('SELECT service, name FROM secrets WHERE deleted_at IS NULL ORDER BY name')
    expect(rows).toEqual([{ service: 'crm', name: 'real-token' }])
  })

  it('is for auth alone', async () => {
    expect(codeOf(await call('POST', chatKey))).toEqual([403, 'SECRETS_FORBIDDEN'])
    const asOwner = await app.inject({ method: 'POST', url: '/internal/secrets/sample-data', headers: await asRole('owner', owner), payload: { ownerUserId: owner } })
    expect(asOwner.statusCode).toBe(403)
  })
})
