// The fleet list (fleet.json) turned into ports, schema names and service URLs (SPEC §11.6).
// Plain Node with no dependencies: `npm start` reads it on a fresh clone before `pnpm install`.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'

const NAME_RE = /^[a-z][a-z0-9-]*$/

/** A port from the environment, or the default when the variable is unset or empty. */
function portFrom (env, key, fallback) {
  const raw = env[key]
  if (raw === undefined || raw === '') return fallback
  const port = Number(raw)
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`${key} must be a port number, got ${JSON.stringify(raw)}`)
  return port
}

export const schemaOf = (name) => name.replaceAll('-', '_')
export const envNameOf = (name) => schemaOf(name).toUpperCase()

/**
 * Reads `<rootDir>/fleet.json`. Gateway HTTP port = ROBBIE_PORT_BASE (default 3000); service i (0-based,
 * fleet order) listens on ROBBIE_SERVICE_PORT_BASE (default base + 100) + i + 1.
 */
export function readFleet (rootDir, env = process.env) {
  const list = JSON.parse(readFileSync(join(rootDir, 'fleet.json'), 'utf8')).services
  if (!Array.isArray(list) || list.length === 0) throw new Error('fleet.json: "services" must be a non-empty list')
  const portBase = portFrom(env, 'ROBBIE_PORT_BASE', 3000)
  const servicePortBase = portFrom(env, 'ROBBIE_SERVICE_PORT_BASE', portBase + 100)
  if (servicePortBase + list.length > 65535) throw new Error(`service ports above ${servicePortBase} run past 65535`)
  const seen = new Set()
  const services = list.map((entry, i) => {
    const { name } = entry
    if (typeof name !== 'string' || !NAME_RE.test(name)) throw new Error(`fleet.json: invalid service name ${JSON.stringify(name)}`)
    if (seen.has(name)) throw new Error(`fleet.json: service ${name} is listed twice`)
    seen.add(name)
    return {
      name,
      port: servicePortBase + i + 1,
      schema: schemaOf(name),
      envName: envNameOf(name),
      streaming: entry.streaming === true,
      readTimeoutS: entry.readTimeoutS ?? 60,
      maxBody: entry.maxBody ?? '1m'
    }
  })
  return { services, portBase, servicePortBase }
}

/** `{ ROBBIE_AUTH_URL: 'http://127.0.0.1:3101', … }`; `host` may be a function of the service (compose: its name). */
export function serviceUrls (fleet, host = '127.0.0.1') {
  return Object.fromEntries(fleet.services.map((s) => {
    const h = typeof host === 'function' ? host(s) : host
    return [`ROBBIE_${s.envName}_URL`, `http://${h}:${s.port}`]
  }))
}
