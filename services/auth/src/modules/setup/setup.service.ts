// First run (SPEC §2.1): while no owner exists, each boot makes a fresh one-time setup code (24 h), prints it
// and writes it to ROBBIE_SETUP_CODE_FILE; POST /setup with it creates the owner and the company profile.
// `npm start` usually creates the owner instead, through createOwner() (scripts/users.ts).
import { writeFileSync, chmodSync } from 'node:fs'
import { withTransaction, type Pool, type PoolClient } from '@robbie/db'
import { uuidv7 } from '@robbie/contracts'
import type { Outbox } from '@robbie/bus'
import { userActor, type Audit, type Caller } from '../sessions/audit.js'
import { sha256 } from '../sessions/refresh-token.js'
import type { SessionsService } from '../sessions/sessions.service.js'
import type { UsersRepository, UserRow } from '../users/users.repository.js'
import type { UsersService } from '../users/users.service.js'
import type { CompanyRepository } from '../company/company.repository.js'
import { isTimeZone, slugify } from '../company/company.service.js'
import { genericError } from '@robbie/service-kit'
import type { SetupRepository } from './setup.repository.js'
import { newSetupCode, normaliseSetupCode } from './setup-code.js'
import { AlreadySetUp, BadSetupCode } from './setup.errors.js'

export const SETUP_CODE_TTL_MS = 24 * 3600_000

export interface SetupDeps {
  pool: Pool
  repo: SetupRepository
  users: Pick<UsersRepository, 'findOwner'>
  usersService: Pick<UsersService, 'createActiveUser'>
  sessionsService?: Pick<SessionsService, 'startFamily' | 'grant'>
  company: CompanyRepository
  audit: Audit
  outbox: Pick<Outbox, 'add'>
  clock: () => Date
}

export function createSetupService (deps: SetupDeps) {
  /** Creates the owner and, in the same transaction, the company profile; every setup code stops working. */
  async function createOwner<R> (input: { email: string, name: string, password: string, companyName?: string, timeZone?: string }, caller: Caller, extra?: (client: PoolClient, owner: UserRow) => Promise<R>) {
    let result: R | undefined
    try {
      const user = await deps.usersService.createActiveUser({ ...input, role: 'owner' }, undefined, caller, async (client, owner) => {
        const company = await deps.company.get(client, { forUpdate: true })
        const values: Record<string, unknown> = {}
        if (input.companyName) { values.name = input.companyName; values.slug = slugify(input.companyName) }
        if (input.timeZone) values.timeZone = input.timeZone
        if (Object.keys(values).length > 0) {
          await deps.company.update(values, deps.clock(), client)
          await deps.outbox.add(client, { type: 'auth.company.updated.v1', subject: { type: 'company', id: '1' }, actor: { type: 'user', id: owner.id }, data: { version: company.version + 1, changed: Object.keys(values) } })
        }
        if (extra) result = await extra(client, owner)
        await deps.repo.deleteUnused(client)
      })
      return { user, result }
    } catch (err) {
      if ((err as { code?: string }).code === 'AUTH_CONFLICT' && await deps.users.findOwner()) throw new AlreadySetUp()
      throw err
    }
  }

  return {
    createOwner,

    async status () {
      const [owner, company] = await Promise.all([deps.users.findOwner(), deps.company.get()])
      return { needsOwner: owner === null, onboarded: company.onboardedAt !== null }
    },

    /** At boot: a fresh code while there is no owner (null otherwise). The caller prints it. */
    async renewCode (file?: string): Promise<string | null> {
      if (await deps.users.findOwner()) return null
      const code = newSetupCode()
      const now = deps.clock()
      await withTransaction(deps.pool, async (client) => {
        await deps.repo.deleteUnused(client)
        await deps.repo.insertCode({ id: uuidv7(), codeHash: sha256(normaliseSetupCode(code)), now, expiresAt: new Date(now.getTime() + SETUP_CODE_TTL_MS) }, client)
      })
      if (file) {
        writeFileSync(file, `${code}\n`, { mode: 0o600 })
        chmodSync(file, 0o600) // also when the file existed with a wider mode
      }
      return code
    },

    async setup (input: { setupCode: string, email: string, name: string, password: string, companyName: string, timeZone: string }, caller: Caller) {
      if (!isTimeZone(input.timeZone)) throw genericError('auth', 'VALIDATION_FAILED', 'Unknown time zone', { details: [{ path: 'body/timeZone', rule: 'timeZone' }] })
      if (await deps.users.findOwner()) throw new AlreadySetUp()
      const sessions = deps.sessionsService
      if (!sessions) throw new Error('setup needs the sessions service')
      const codeHash = sha256(normaliseSetupCode(input.setupCode))
      // a cheap look first, so a guessed code costs no password hash
      if (!await deps.repo.isValid(codeHash, deps.clock())) throw new BadSetupCode()
      const { user, result: family } = await createOwner(input, caller, async (client, owner) => {
        // checked last but in the same transaction: a bad code rolls the owner back (bad input changes nothing)
        if (!await deps.repo.useCode(codeHash, deps.clock(), client)) throw new BadSetupCode()
        await deps.audit.record(client, { action: 'auth.setup', outcome: 'success', resourceType: 'user', resourceId: owner.id, actor: userActor(owner.id) }, caller.request)
        return await sessions.startFamily(client, owner, caller)
      })
      return await sessions.grant(user, family!)
    }
  }
}
export type SetupService = ReturnType<typeof createSetupService>
