// SQL of the personality tables (SPEC §3.3). Every method takes an optional client, passed inside transactions.
import { uuidv7 } from '@robbie/contracts'
import type { Queryable } from '@robbie/db'
import type { Sliders } from '../assistant.types.js'

export interface PersonalityRow extends Sliders { userId: string, preset: string | null, version: number, updatedAt: Date }
export type Via = 'rest' | 'ws' | 'command' | 'slack'

const COLUMNS = 'user_id, gandhi, flirty, turbo, auto, preset, version, updated_at'
const toRow = (r: Record<string, unknown>): PersonalityRow => ({
  userId: r.user_id as string,
  gandhi: r.gandhi as number,
  flirty: r.flirty as number,
  turbo: r.turbo as number,
  auto: r.auto as number,
  preset: r.preset as string | null,
  version: r.version as number,
  updatedAt: r.updated_at as Date
})

export function createPersonalityRepository (pool: Queryable) {
  const q = (client?: Queryable) => client ?? pool
  return {
    async find (userId: string, client?: Queryable, lock = false): Promise<PersonalityRow | null> {
      const { rows } = await q(client).query(`SELECT ${COLUMNS} FROM personality WHERE user_id = $1${lock ? ' FOR UPDATE' : ''}`, [userId])
      return rows[0] ? toRow(rows[0]) : null
    },
    /** The defaults as version 1, unless a row exists already (a concurrent first read wrote it). */
    async insertDefault (userId: string, values: Sliders, preset: string, at: Date, client?: Queryable): Promise<void> {
      await q(client).query(`INSERT INTO personality (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, 1, $7) ON CONFLICT (user_id) DO NOTHING`,
        [userId, values.gandhi, values.flirty, values.turbo, values.auto, preset, at])
    },
    async update (userId: string, values: Sliders, preset: string | null, at: Date, client?: Queryable): Promise<PersonalityRow> {
      const { rows } = await q(client).query(`UPDATE personality SET gandhi = $2, flirty = $3, turbo = $4, auto = $5, preset = $6,
          version = version + 1, updated_at = $7
        WHERE user_id = $1 RETURNING ${COLUMNS}`, [userId, values.gandhi, values.flirty, values.turbo, values.auto, preset, at])
      return toRow(rows[0]!)
    },
    async insertHistory (h: { row: PersonalityRow, changedBy: string, via: Via }, client?: Queryable): Promise<void> {
      const { row } = h
      await q(client).query(`INSERT INTO personality_history (id, user_id, version, "values", preset, changed_by, via, at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, [uuidv7(), row.userId, row.version,
        JSON.stringify({ gandhi: row.gandhi, flirty: row.flirty, turbo: row.turbo, auto: row.auto }), row.preset, h.changedBy, h.via, row.updatedAt])
    }
  }
}
export type PersonalityRepository = ReturnType<typeof createPersonalityRepository>
