// Migrations: ordered, checksummed, once only, and safe when two replicas start together.
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import pg from 'pg'
import { cloneDatabase } from '@robbie/testing'
import { createPool, migrate, pendingMigrations } from '../src/index.js'

const db = await cloneDatabase()
afterAll(async () => { await db.drop() })
const dir = mkdtempSync(join(tmpdir(), 'robbie-mig-'))
writeFileSync(join(dir, '001.do.make-notes.sql'), 'CREATE TABLE notes (id int PRIMARY KEY);')
writeFileSync(join(dir, '002.do.add-body.sql'), 'ALTER TABLE notes ADD COLUMN body text; INSERT INTO notes VALUES (1, \'first\');')
writeFileSync(join(dir, '010.do.later.sql'), 'INSERT INTO notes VALUES (10, \'tenth\');')
writeFileSync(join(dir, 'README.md'), 'not a migration')
const sources = [{ name: 'extra', dir }]
const opts = { connectionString: db.ownerUrlFor('github-bot'), schema: 'github_bot', sources }

describe('migrate', () => {
  it('runs pending files in numeric order, once, even with two runners at the same moment', async () => {
    const [a, b] = await Promise.all([migrate(opts), migrate(opts)])
    expect([...a.applied, ...b.applied].sort()).toEqual(['extra/1', 'extra/10', 'extra/2'])
    expect((await migrate(opts)).applied).toEqual([])
    const pool = createPool({ connectionString: db.urlFor('github-bot'), schema: 'github_bot', applicationName: 'test' })
    const { rows } = await pool.query('SELECT id, body FROM notes ORDER BY id')
    expect(rows).toEqual([{ id: 1, body: 'first' }, { id: 10, body: 'tenth' }])
    expect(await pendingMigrations(pool, sources)).toEqual([])
    await pool.end()
  })

  it('refuses a migration edited after it ran, and leaves a failed one unrecorded', async () => {
    writeFileSync(join(dir, '002.do.add-body.sql'), 'ALTER TABLE notes ADD COLUMN body text; -- edited')
    await expect(migrate(opts)).rejects.toThrow(/extra\/2 \(add-body\) was edited/)
    writeFileSync(join(dir, '002.do.add-body.sql'), 'ALTER TABLE notes ADD COLUMN body text; INSERT INTO notes VALUES (1, \'first\');')
    writeFileSync(join(dir, '011.do.broken.sql'), 'INSERT INTO notes VALUES (11, \'x\'); SELECT * FROM nowhere;')
    await expect(migrate(opts)).rejects.toThrow(/extra\/11 \(broken\) failed/)
    const pool = new pg.Pool({ connectionString: db.urlFor('github-bot') })
    expect((await pool.query('SELECT count(*)::int AS n FROM github_bot.notes WHERE id = 11')).rows[0].n).toBe(0)
    await pool.end()
  })
})
