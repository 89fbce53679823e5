// `npm run robbie -- verify-audit [--service <name>] [--from-seq N]`: recomputes every service's audit chain
// (SPEC §2.4) straight from the database, each as that service's runtime role (which may read its own
// audit_events), and holds it against the last signed checkpoint. Exit 1 when any chain is broken.
//   env: ROBBIE_ADMIN_DATABASE_URL + ROBBIE_DB_NAME (+ ROBBIE_DB_PASSWORD_<SCHEMA> in production); ROBBIE_RUN_DIR
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { SERVICES } from '@robbie/contracts'
import { createPool, type Pool } from '@robbie/db'
import { roleUrl, runtimeRole, schemaOf } from './lib/db-roles.mjs'
import { createAuditService, loadCheckpointKey, localChain, type ChainReader } from '../services/auth/src/modules/audit/index.js'

const env = process.env
const runDir = resolve(env.ROBBIE_RUN_DIR || join(import.meta.dirname, '..', '.run'))

function urlFor (service: string): string {
  const url = new URL(roleUrl(env.ROBBIE_ADMIN_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres', env.ROBBIE_DB_NAME || 'robbie', runtimeRole(service), runDir))
  const fromEnv = env[`ROBBIE_DB_PASSWORD_${schemaOf(service).toUpperCase()}`]
  if (fromEnv) url.password = fromEnv
  return url.toString()
}

async function main (): Promise<void> {
  const { values } = parseArgs({ args: process.argv.slice(2), options: { service: { type: 'string' }, 'from-seq': { type: 'string' } } })
  if (values.service && !(SERVICES as readonly string[]).includes(values.service)) throw new Error(`unknown service ${values.service}`)
  const fromSeq = values['from-seq'] ? Number(values['from-seq']) : undefined
  if (fromSeq !== undefined && (!Number.isInteger(fromSeq) || fromSeq < 1)) throw new Error('--from-seq must be a positive integer')
  const pools = new Map<string, Pool>(SERVICES.map((s) => [s, createPool({ connectionString: urlFor(s), schema: schemaOf(s), applicationName: 'robbie-cli', max: 1 })]))
  try {
    const chains = new Map<string, ChainReader>([...pools].map(([s, pool]) => [s, localChain(pool)]))
    const { publicKey } = loadCheckpointKey(join(runDir, 'keys', 'audit-checkpoint.json'))
    const results = await createAuditService({ pool: pools.get('auth')!, chains, publicKey }).verify({
      ...(values.service ? { service: values.service } : {}), ...(fromSeq ? { fromSeq } : {})
    })
    for (const r of results) {
      const state = r.ok ? 'ok' : `BROKEN: ${r.reason ?? 'unknown'} at seq ${r.firstBadSeq ?? '?'}`
      console.log(`${r.service.padEnd(17)} ${state.padEnd(32)} checked ${r.checked}, head ${r.headSeq}${r.headSeq ? ` ${r.headHash.slice(0, 16)}…` : ''}, checkpoint ${r.checkpointOk ? 'ok' : 'NOT ok'}`)
    }
    if (results.some((r) => !r.ok || !r.checkpointOk)) process.exitCode = 1
  } finally {
    await Promise.all([...pools.values()].map(async (p) => { await p.end() }))
  }
}

main().catch((err: Error) => {
  console.error(`verify-audit failed: ${err.message}`)
  process.exit(1)
})
