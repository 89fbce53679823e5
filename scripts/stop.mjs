// `npm stop`: stops the fleet of this run dir (ROBBIE_RUN_DIR or <repo>/.run): the supervisor, which stops
// every service and nginx, then what npm start itself started (embedded Postgres, a private redis-server),
// each by its recorded pid. Shared servers it merely used are never touched.
import { join, resolve } from 'node:path'
import { isAlive, readJson, readPid, removeFile, SUPERVISOR_MARKER, supervisorPid, supervisorPidFile, terminate } from './lib/procs.mjs'
import { stopStarted } from './lib/provision.mjs'

const rootDir = resolve(import.meta.dirname, '..')
const runDir = resolve(process.env.ROBBIE_RUN_DIR || join(rootDir, '.run'))

/**
 * If the supervisor died without stopping its children (SIGKILL, OOM), they are stopped by the pids in its
 * state file, each checked against its command line so a recycled pid is never hit.
 */
async function stopLeftovers () {
  const names = []
  for (const [name, entry] of Object.entries(readJson(join(runDir, 'fleet.json')) ?? {})) {
    const marker = name === 'nginx' ? runDir : join('services', name, 'src', 'server.ts')
    if (!isAlive(entry?.pid, marker)) continue
    await terminate(entry.pid, { marker })
    names.push(name)
  }
  return names
}

let didSomething = false
const recorded = readPid(supervisorPidFile(runDir))
const pid = supervisorPid(runDir)
if (pid) {
  console.log(`• stopping the fleet (supervisor pid ${pid})`)
  // The supervisor gives its children 10 s before SIGKILL; allow for that.
  await terminate(pid, { marker: SUPERVISOR_MARKER, timeoutMs: 20_000 })
  didSomething = true
}
if (recorded) {
  const left = await stopLeftovers()
  if (left.length > 0) { console.log(`• stopped what the supervisor left behind: ${left.join(', ')}`); didSomething = true }
  removeFile(supervisorPidFile(runDir))
  removeFile(join(runDir, 'fleet.json'))
}
const stopped = await stopStarted(runDir)
for (const name of stopped) console.log(`• stopped ${name === 'postgres' ? 'embedded Postgres' : name === 'redis' ? 'the private redis-server' : name === 'fake-ollama' ? 'the fake Ollama node' : name}`)
console.log(didSomething || stopped.length > 0 ? 'Robbie is stopped' : 'Robbie is not running')
